/** Hand-made Assessments conforming to src/criteria/types.ts, for renderer tests. */
import type {
  Assessment,
  CriterionItem,
  CriterionState,
  HScoreVariable,
  Hlh2004ItemId,
  IecHsStatus,
  TriggerExposure,
} from '../../src/criteria/types';
import { HLH2004_ITEM_IDS, HSCORE_VARIABLE_IDS } from '../../src/criteria/types';
import type { AnalyteId, ExposureClass } from '../../src/vocabulary';
import { defaultKnowledge } from '../../src/knowledge';

export const AS_OF = '2024-05-13T08:00:00Z';

/** The knowledge values the engine puts on items whose label template names them (shipped defaults). */
const PARAMS: Record<string, Record<string, number | string>> = {
  ferritin: { ulnFactor: 2, baselineFactor: 2 },
  'ferritin.uln': { factor: 2 },
  'ferritin.baseline': { factor: 2 },
  'ferritin.rising': { factor: 2, hours: 48 },
  transaminases: { ulnFactor: 5, baselineFactor: 5 },
  fibrinogen: { bound: '< 150 mg/dL' },
  cytopenias: { required: 2, total: 3 },
  triglycerides: { bound: '> 265 mg/dL' },
};

export function item(id: string, state: CriterionState, extra: Partial<CriterionItem> = {}): CriterionItem {
  return {
    id,
    label: extra.label ?? id,
    ...(PARAMS[id] ? { params: PARAMS[id] } : {}),
    state,
    reason: state === 'met' ? 'threshold-met' : state === 'not-met' ? 'threshold-not-met' : 'no-data',
    sources: [],
    ...extra,
  };
}

export function exposure(cls: ExposureClass, agent: string, extra: Partial<TriggerExposure> = {}): TriggerExposure {
  const iec = cls === 'car-t' || cls === 't-cell-engager';
  return {
    class: cls,
    agent,
    syndrome: iec ? 'iec-hs' : 'treatment-related-hlh',
    start: '2024-05-01T10:00:00Z',
    day0: '2024-05-01T10:00:00Z',
    daysSince: 12,
    inWindow: true,
    windowReason: 'in-window',
    matchedBy: 'code',
    matched: 'http://www.nlm.nih.gov/research/umls/rxnorm|0000',
    sources: ['MedicationAdministration/1'],
    ...extra,
  };
}

const LABELS: Record<Hlh2004ItemId, string> = {
  fever: 'Fever ≥ 38.5 °C',
  splenomegaly: 'Splenomegaly',
  cytopenias: 'Cytopenias ≥ 2 of 3 lineages',
  'triglycerides-fibrinogen': 'Triglycerides ≥ 265 mg/dL or fibrinogen ≤ 150 mg/dL',
  hemophagocytosis: 'Hemophagocytosis',
  'nk-activity': 'Low/absent NK-cell activity',
  ferritin: 'Ferritin ≥ 500 ng/mL',
  scd25: 'sCD25 ≥ 2,400 U/mL',
};

function hlhItems(states: Partial<Record<Hlh2004ItemId, CriterionState | CriterionItem>>): CriterionItem[] {
  return HLH2004_ITEM_IDS.map((id) => {
    const s = states[id] ?? 'unknown';
    return typeof s === 'string' ? item(id, s, { label: LABELS[id] }) : s;
  });
}

export interface Spec {
  cls?: ExposureClass | 'none';
  agent?: string;
  exposure?: Partial<TriggerExposure>;
  iec?: IecHsStatus;
  hlh?: Partial<Record<Hlh2004ItemId, CriterionState | CriterionItem>>;
  hscore?: number;
  hscoreMax?: number;
  ferritin?: number;
  fibrinogen?: number;
  platelets?: number;
  lastSeen?: Partial<Record<AnalyteId, string>>;
  missing?: AnalyteId[];
  overrides?: string[];
}

export function ferritinItem(value: number, extra: Partial<CriterionItem> = {}): CriterionItem {
  return item('ferritin', value >= 500 ? 'met' : 'not-met', {
    label: 'Ferritin',
    value,
    unit: 'ng/mL',
    time: '2024-05-13T06:00:00Z',
    status: 'final',
    referenceRange: { high: 400, unit: 'ng/mL', source: 'default' },
    multiple: { of: 'uln', factor: value / 400 },
    flags: ['default-uln'],
    sources: ['Observation/ferritin-1'],
    ...extra,
  });
}

export function assessment(spec: Spec = {}): Assessment {
  const cls = spec.cls ?? 'car-t';
  const primary = cls === 'none' ? undefined : exposure(cls, spec.agent ?? 'axicabtagene ciloleucel', spec.exposure);
  const iec = primary && (cls === 'car-t' || cls === 't-cell-engager');
  const ferritin = spec.ferritin ?? 24500;
  const fib = spec.fibrinogen ?? 110;
  const plt = spec.platelets ?? 42;
  const features: CriterionItem[] = [
    ferritinItem(ferritin, { state: spec.iec === 'not-evaluable' ? 'unknown' : ferritin > 800 ? 'met' : 'not-met' }),
    item('transaminases', 'not-met', { label: 'ALT or AST > 5× ULN' }),
    item('fibrinogen', spec.iec === 'suggestive' || spec.iec === undefined ? (fib < 150 ? 'met' : 'not-met') : 'not-met', {
      label: 'Fibrinogen < 150 mg/dL',
      value: fib,
      unit: 'mg/dL',
      time: '2024-05-13T06:00:00Z',
      referenceRange: { low: 180, high: 400, unit: 'mg/dL', source: 'fallback' },
      threshold: { operator: '<', value: 150, unit: 'mg/dL', basis: 'absolute', citation: 'ASTCT', status: 'reproduced' },
    }),
    item('cytopenias', 'unknown', {
      label: 'Cytopenias',
      reason: 'lineages-unknown',
      components: [
        item('cytopenias.platelets', 'met', { label: 'Platelets', value: plt, unit: '10*9/L', time: '2024-05-13T06:00:00Z' }),
      ],
    }),
    item('hemophagocytosis', 'unknown', { label: 'Hemophagocytosis' }),
    item('timing', 'unknown', { label: 'Timing relative to CRS', reason: 'no-crs-coded' }),
  ];
  const variables: HScoreVariable[] = HSCORE_VARIABLE_IDS.map((id) => ({
    ...item(id, 'unknown', { label: id }),
    points: 0,
    maxPoints: 0,
  }));
  const score = spec.hscore ?? 120;
  const max = spec.hscoreMax ?? Math.max(score, 250);
  return {
    version: '1.0.0',
    asOf: AS_OF,
    patientId: 'p1',
    knowledge: { version: '2026.11.0', overrides: spec.overrides ?? [], indicator: defaultKnowledge.indicator },
    ...(primary ? { syndrome: primary.syndrome } : {}),
    exposure: primary ? { status: primary.inWindow ? 'in-window' : 'outside-window', primary, all: [primary] } : { status: 'none', all: [] },
    ...(iec
      ? {
          iecHs: {
            status: spec.iec ?? 'suggestive',
            statusReason: 'ferritin-and-other-feature',
            day0: primary.day0,
            features,
            mayBePresent: [item('ldh', 'unknown', { label: 'LDH > ULN' })],
            crsRelation: 'unknown' as const,
            grade: 'not-assessable' as const,
          },
        }
      : {}),
    hlh2004: (() => {
      const items = hlhItems(spec.hlh ?? { ferritin: ferritinItem(ferritin, { label: 'Ferritin ≥ 500 ng/mL' }) });
      const met = items.filter((i) => i.state === 'met').length;
      const unknown = items.filter((i) => i.state === 'unknown').length;
      return {
        items,
        met,
        notMet: 8 - met - unknown,
        unknown,
        total: 8 as const,
        required: 5 as const,
        status: met >= 5 ? ('reached' as const) : met + unknown >= 5 ? ('reachable' as const) : ('impossible' as const),
        documentedDiagnosis: [],
        earlierDiagnosis: [],
        refutedDiagnosis: [],
      };
    })(),
    hscore: {
      score,
      maxPossible: max,
      maximum: 337,
      complete: score === max,
      probability: { percent: 5, display: '5%', method: 'table-row' },
      probabilityAtMaxPossible: { percent: 99, display: '>99%', method: 'above-table' },
      cutoff: 169,
      missing: score === max ? [] : ['hemophagocytosis', 'triglycerides'],
      variables,
    },
    ohi: { state: 'unknown', items: [] },
    trends: {
      items: [
        {
          analyte: 'ferritin',
          direction: 'up',
          points: [
            { time: '2024-05-11T06:00:00Z', value: 3200, source: 'Observation/f0' },
            { time: '2024-05-13T06:00:00Z', value: ferritin, source: 'Observation/ferritin-1' },
          ],
        },
      ],
      crsDivergence: { state: 'unknown', sources: [] },
    },
    alternatives: [],
    lastSeen: spec.lastSeen ?? { ferritin: '2024-05-13T06:00:00Z', fibrinogen: '2024-05-13T06:00:00Z', platelets: '2024-05-13T06:00:00Z' },
    missing: spec.missing ?? [],
    unusable: [],
    dataIssues: [],
  };
}

/** Deterministic uuid generator for tests. */
export function seqIds(): () => string {
  let n = 0;
  return () => {
    n += 1;
    return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
  };
}
