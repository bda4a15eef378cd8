/**
 * Override rows generated from the shipped lists (overrides.test.ts): one row per analyte definition, finding code,
 * exposure window and trigger agent. Each removes (or shortens) the one entry and shows the card change for a patient
 * documented with exactly that entry.
 */
import { defaultKnowledge } from '../../src/knowledge';
import { loadCardContent } from '../../src/render/content';
import { IEC_CLASSES, type AnalyteId, type ExposureClass } from '../../src/vocabulary';
import { condition, lab, SNOMED, type Run } from '../clinical-review/fhir';
import { D, detailMatch, drug, extension, ferritin, H, iec, indicator, pointsOf, stateOf, type Row } from './override-support';

type J = Record<string, unknown>;
const subject = { reference: 'Patient/p1' };
const active = { clinicalStatus: { coding: [{ code: 'active' }] }, onsetDateTime: D(2) };

const without = <T>(xs: readonly T[], i: number): T[] => xs.filter((_, j) => j !== i);

// ------------------------------------------------------------------------------------------------ analytes

const WORKUP = loadCardContent().workup.items;

/** Whether the card's extension lists the work-up item covering `analyte` as missing. */
const workupFor = (analyte: AnalyteId) => (r: Run): string => {
  const e = extension(r);
  if (!e) return 'no card';
  const item = WORKUP.find((i) => i.covers.includes(analyte))!;
  return (e.missingWorkup as { id: string }[]).some((m) => m.id === item.id) ? `${item.id} missing` : `${item.id} present`;
};

/** The four analytes of a blood count: the work-up item is due when any of them is missing. */
const CBC: AnalyteId[] = ['hemoglobin', 'platelets', 'anc', 'wbc'];

function analyteValue(id: AnalyteId): J {
  const def = defaultKnowledge.analytes.analytes[id];
  const code = id === 'scd25' ? { system: 'urn:test', code: 'scd25' } : def.codes[0]!;
  const unit = def.canonicalUnit ?? 'ng/mL';
  const value = id === 'temperature' ? 39 : 1;
  return { ...lab('x', value, unit, H(6)), code: { coding: [code] } };
}

export function analyteRows(): Row[] {
  return (Object.keys(defaultKnowledge.analytes.analytes) as AnalyteId[]).map((id): Row => {
    const path = `analytes.analytes.${id}`;
    const withCbc = CBC.includes(id) ? CBC.filter((x) => x !== id).map(analyteValue) : [];
    if (id === 'temperature') {
      return { path, override: { codes: [] }, resources: () => iec([analyteValue(id)]), probe: stateOf('ASTCT 2023 IEC-HS', 'Fever (new or persistent)'), before: 'met', after: 'not assessable' };
    }
    const ownsCard = id === 'ferritin' || id === 'fibrinogen';
    // sCD25 has no shipped code (the table maps a test code): the site maps another one instead.
    return {
      path,
      override: { codes: id === 'scd25' ? [{ system: 'urn:site', code: 'scd25' }] : [] },
      resources: () => (ownsCard ? iec() : iec([analyteValue(id), ...withCbc])),
      probe: ownsCard ? indicator : workupFor(id),
      before: ownsCard ? 'warning' : `${WORKUP.find((i) => i.covers.includes(id))!.id} present`,
      after: ownsCard ? (id === 'ferritin' ? 'no card' : 'info') : `${WORKUP.find((i) => i.covers.includes(id))!.id} missing`,
    };
  });
}

// ------------------------------------------------------------------------------------------------ findings

const HLH = (label: string) => stateOf('HLH-2004', label);
const FINDING_PROBE: Record<string, { probe: (r: Run) => string; before: string; after: string; iec?: true }> = {
  splenomegaly: { probe: HLH('Splenomegaly'), before: 'met', after: 'unknown (no data)' },
  hepatomegaly: { probe: pointsOf('Organomegaly'), before: '23–38', after: '0–38' },
  hemophagocytosis: { probe: HLH('Hemophagocytosis'), before: 'met', after: 'unknown (no data)' },
  'nk-activity-low': { probe: HLH('Low/absent NK-cell activity'), before: 'met', after: 'unknown (no data)' },
  'hlh-diagnosis': { probe: detailMatch(/(HLH diagnosis documented)/), before: 'HLH diagnosis documented', after: 'absent' },
  crs: { probe: stateOf('ASTCT 2023 IEC-HS', 'Timing: onset as CRS resolves or after initial improvement'), before: 'unknown', after: 'unknown (no CRS coded)', iec: true },
  immunosuppression: { probe: pointsOf('Known underlying immunosuppression'), before: '18', after: '0–18' },
  infection: { probe: detailMatch(/(Documented infection)/), before: 'Documented infection', after: 'absent' },
};

function findingResource(system: string, code: string): J {
  if (system === 'urn:hlh-sentinel:finding') {
    return { resourceType: 'Observation', id: `f-${code}`, status: 'final', code: { coding: [{ system, code }] }, subject, effectiveDateTime: H(30), valueBoolean: true };
  }
  return condition(system, code, active);
}

const statement = (name: string, start: string): J => ({
  resourceType: 'MedicationStatement',
  id: `ms-${name.replace(/\W/g, '')}`,
  status: 'active',
  subject,
  medicationCodeableConcept: { text: name },
  effectivePeriod: { start },
});

/** The marrow Observation with other value fields: an interpretation, a valueString, or none. */
const marrowWith = (fields: J): J => ({
  resourceType: 'Observation',
  id: 'marrow',
  status: 'final',
  code: { coding: [{ system: 'urn:hlh-sentinel:finding', code: 'hemophagocytosis' }] },
  subject,
  effectiveDateTime: H(30),
  ...fields,
});
const V3 = 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation';
const interpretation = (code: string): J => ({ interpretation: [{ coding: [{ system: V3, code }] }] });

const marrow = (value: J): J => marrowWith({ valueCodeableConcept: { coding: [value] } });

export function findingRows(): Row[] {
  const f = defaultKnowledge.findings;
  const codes = f.codes.map((c, i): Row => {
    const p = FINDING_PROBE[c.kinds[0]!]!;
    const res = findingResource(c.system, c.code);
    return { path: `findings.codes.${i}`, file: 'findings.codes', override: without(f.codes, i), resources: () => (p.iec ? iec([res]) : drug([res], { spleen: false })), probe: p.probe, before: p.before, after: p.after };
  });
  const ranges = f.codeRanges.map((r, i): Row => ({
    path: `findings.codeRanges.${i}`,
    file: 'findings.codeRanges',
    override: without(f.codeRanges, i),
    resources: () => drug([condition(r.system, `${r.from}.9`, active)]),
    probe: FINDING_PROBE.infection!.probe,
    before: 'Documented infection',
    after: 'absent',
  }));
  const meds = f.immunosuppressiveMedications.map((m, i): Row => ({
    path: `findings.immunosuppressiveMedications.${i}`,
    file: 'findings.immunosuppressiveMedications',
    override: without(f.immunosuppressiveMedications, i),
    resources: () => drug([statement(`${m.names[0]!} daily`, D(100).slice(0, 10))]),
    probe: pointsOf('Known underlying immunosuppression'),
    before: '18',
    after: '0–18',
  }));
  return [
    ...codes,
    ...ranges,
    ...meds,
    { path: 'findings.positiveValues.0', file: 'findings.positiveValues', override: [], resources: () => drug([marrow({ system: SNOMED, code: '10828004' })]), probe: HLH('Hemophagocytosis'), before: 'met', after: 'unknown (no data)' },
    { path: 'findings.negativeValues.0', file: 'findings.negativeValues', override: [], resources: () => drug([marrow({ system: SNOMED, code: '260385009' })]), probe: HLH('Hemophagocytosis'), before: 'not met', after: 'unknown (no data)' },
    // An interpretation decides only where the value alone does not: a positive one next to an uninterpretable text
    // (without it: unknown), a negative one on an Observation without a value (without it: the finding is asserted).
    ...(['POS', 'DET'] as const).map((code, n): Row => ({
      path: `findings.positiveValues.${n + 1}`,
      file: 'findings.positiveValues',
      override: without(f.positiveValues, n + 1),
      resources: () => drug([marrowWith({ valueString: 'see report', ...interpretation(code) })]),
      probe: HLH('Hemophagocytosis'),
      before: 'met',
      after: 'unknown (no data)',
    })),
    ...(['NEG', 'ND'] as const).map((code, n): Row => ({
      path: `findings.negativeValues.${n + 1}`,
      file: 'findings.negativeValues',
      override: without(f.negativeValues, n + 1),
      resources: () => drug([marrowWith(interpretation(code))]),
      probe: HLH('Hemophagocytosis'),
      before: 'not met',
      after: 'met',
    })),
    { path: 'findings.positiveTexts', override: [], resources: () => drug([marrowWith({ valueString: 'DETECTED' })]), probe: HLH('Hemophagocytosis'), before: 'met', after: 'unknown (no data)' },
    { path: 'findings.negativeTexts', override: [], resources: () => drug([marrowWith({ valueString: 'Not detected' })]), probe: HLH('Hemophagocytosis'), before: 'not met', after: 'unknown (no data)' },
    { path: 'findings.nonSystemicNameTokens', override: [], resources: () => drug([statement('prednisone cream', D(100).slice(0, 10))]), probe: pointsOf('Known underlying immunosuppression'), before: '0–18', after: '18' },
    {
      path: 'analytes.codeSystemAliases',
      override: { 'urn:oid:2.16.840.1.113883.6.1': 'urn:other' },
      resources: () => iec([{ ...ferritin(2000), code: { coding: [{ system: 'urn:oid:2.16.840.1.113883.6.1', code: '2276-4' }] } }], { ferritin: null }),
      probe: indicator,
      before: 'warning',
      after: 'no card',
    },
    { path: 'analytes.unitAliases', override: { 'ng/ml': 'pg/mL' }, resources: () => iec([lab('2276-4', 2000, 'ng/ml', H(6))], { ferritin: null }), probe: indicator, before: 'warning', after: 'no card' },
  ];
}

// ------------------------------------------------------------------------------------------------ exposures

const isIec = (cls: ExposureClass): boolean => IEC_CLASSES.includes(cls);

/** A patient with a warning card from exactly this trigger. */
function triggered(cls: ExposureClass, name: string): J[] {
  if (cls === 'car-t') return iec([], { agent: name });
  if (isIec(cls)) return iec([], { agent: `t-cell:${name}` });
  return drug([], { agent: name });
}

export function exposureRows(): Row[] {
  const x = defaultKnowledge.exposures;
  const windows = (Object.keys(x.windows) as ExposureClass[]).map((cls): Row => {
    const first = x.agents.find((a) => a.class === cls && !a.unspecified)!;
    return { path: `exposures.windows.${cls}`, override: { closeAfter: { value: 1, unit: 'd' } }, resources: () => triggered(cls, first.names[0]!), probe: indicator, before: 'warning', after: 'no card' };
  });
  const agents = x.agents.map((a, i): Row => ({
    path: `exposures.agents.${i}`,
    file: 'exposures.agents',
    override: without(x.agents, i),
    resources: () => triggered(a.class, a.unspecified ? 'car t cell infusion' : a.names[0]!),
    probe: indicator,
    before: 'warning',
    after: 'no card',
  }));
  const request: J = { resourceType: 'MedicationRequest', id: 'mr', status: 'active', intent: 'plan', subject, medicationCodeableConcept: { text: 'pembrolizumab' }, authoredOn: D(20) };
  const stepCoded: J = { resourceType: 'Procedure', id: 'pr-step', status: 'completed', subject, code: { coding: [{ system: 'urn:site:procedure', code: 'step-1' }], text: 'axicabtagene ciloleucel' }, performedDateTime: D(12) };
  const apheresis: J = { resourceType: 'Procedure', id: 'pr', status: 'completed', subject, code: { text: 'axicabtagene ciloleucel leukapheresis' }, performedDateTime: D(12) };
  return [
    ...windows,
    ...agents,
    { path: 'exposures.nonExposureRequestIntents', override: [], resources: () => drug([request], { noExposure: true }), probe: indicator, before: 'no card', after: 'warning' },
    { path: 'exposures.nonExposureProcedureTokens', override: [], resources: () => iec([apheresis], { noExposure: true }), probe: indicator, before: 'no card', after: 'warning' },
    // Empty by default (a site lists its own step codes): the row adds one and the coded step stops being day 0.
    { path: 'exposures.nonExposureProcedureCodes', override: [{ system: 'urn:site:procedure', code: 'step-1' }], resources: () => iec([stepCoded], { noExposure: true }), probe: indicator, before: 'warning', after: 'no card' },
  ];
}

