/**
 * The brief card detail (CARD_DETAIL=brief, the default) over generated assessments: every card within its budget
 * (1,200 characters for critical and warning, 600 for info), at most one table, the must-say items present and
 * nothing a clinician cannot use. The same forbidden patterns are checked on the full detail and the summary.
 */
import fc from 'fast-check';
import type { AlternativeExplanation, CriterionItem, Hlh2004ItemId, IecHsStatus, TriggerExposure } from '../../src/criteria/types';
import { HLH2004_ITEM_IDS } from '../../src/criteria/types';
import type { DataIssue } from '../../src/timeline/types';
import { loadCardContent } from '../../src/render/content';
import { renderCards } from '../../src/render/cards';
import { BRIEF_BUDGET } from '../../src/render/brief';
import type { ExposureClass } from '../../src/vocabulary';
import { assessment, exposure, ferritinItem, item, seqIds } from './fixtures';
import { FORBIDDEN, tableCount } from './brief-checks';

const content = loadCardContent();
const b = content.wording.brief;

const classes: ExposureClass[] = ['car-t', 't-cell-engager', 'checkpoint-inhibitor', 'btk-inhibitor', 'lamotrigine', 'tmp-smx'];
const agents = [
  'axicabtagene ciloleucel',
  'teclistamab',
  'pembrolizumab',
  'ibrutinib',
  'lamotrigine',
  'trimethoprim-sulfamethoxazole',
  'a very long free-text medication name from the EHR with many words that goes on and on and on and on and on',
  'x'.repeat(300),
];
const state = fc.constantFrom('met' as const, 'not-met' as const, 'unknown' as const);
const T = '2024-05-13T06:00:00Z';

/** A met HLH-2004 item with a value, in the canonical or the lab's SI unit system (threshold in that system). */
function valued(id: Hlh2004ItemId, si: boolean): CriterionItem {
  switch (id) {
    case 'ferritin':
      return ferritinItem(12000, si ? { original: { value: 12000, unit: 'ug/L' }, threshold: { operator: '>=', value: 500, unit: 'ug/L', basis: 'absolute', citation: 'HLH-2004', status: 'confirmed' } } : { threshold: { operator: '>=', value: 500, unit: 'ng/mL', basis: 'absolute', citation: 'HLH-2004', status: 'confirmed' } });
    case 'triglycerides-fibrinogen':
      return item(id, 'met', {
        label: 'Hypertriglyceridemia and/or hypofibrinogenemia',
        components: [
          item('triglycerides-fibrinogen.fibrinogen', 'met', {
            label: 'Fibrinogen',
            value: 120,
            unit: 'mg/dL',
            time: T,
            ...(si ? { original: { value: 1.2, unit: 'g/L' } } : {}),
            threshold: si ? { operator: '<=', value: 1.5, unit: 'g/L', basis: 'absolute', citation: 'HLH-2004', status: 'confirmed' } : { operator: '<=', value: 150, unit: 'mg/dL', basis: 'absolute', citation: 'HLH-2004', status: 'confirmed' },
          }),
        ],
      });
    case 'fever':
      return item(id, 'met', { label: 'Fever', value: 39.4, unit: 'Cel', time: T, ...(si ? {} : { original: { value: 103, unit: '[degF]' } }), threshold: si ? { operator: '>=', value: 38.5, unit: 'Cel', basis: 'absolute', citation: 'HLH-2004', status: 'confirmed' } : { operator: '>=', value: 101.3, unit: '[degF]', basis: 'absolute', citation: 'HLH-2004', status: 'confirmed' } });
    default:
      return item(id, 'met', { label: `HLH-2004 criterion ${HLH2004_ITEM_IDS.indexOf(id) + 1}` });
  }
}

const alternative = fc.record({
  kind: fc.constantFrom('infection' as const, 'disease-progression' as const),
  text: fc.option(fc.constantFrom('Sepsis due to Escherichia coli with septic shock and multi-organ failure', 'COVID-19', 'pneumonia of the left lower lobe'), { nil: undefined }),
  system: fc.constantFrom('http://hl7.org/fhir/sid/icd-10-cm', 'http://snomed.info/sct', 'https://example.org/local-codes'),
  dated: fc.boolean(),
});

const arb = fc.record({
  cls: fc.constantFrom(...classes),
  agent: fc.constantFrom(...agents),
  others: fc.array(fc.record({ cls: fc.constantFrom(...classes), agent: fc.constantFrom(...agents) }), { maxLength: 3 }),
  iec: fc.constantFrom<IecHsStatus>('suggestive', 'watch', 'not-met', 'not-evaluable'),
  hscore: fc.integer({ min: 0, max: 337 }),
  hscoreComplete: fc.boolean(),
  day: fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: undefined }),
  items: fc.tuple(state, state, state, state, state, state, state, state),
  si: fc.boolean(),
  alternatives: fc.array(alternative, { maxLength: 6 }),
  issues: fc.array(fc.constantFrom<DataIssue>(
    { severity: 'warning', code: 'prefetch-failed', params: { key: 'labs', reason: 'Observation/abc-123 could not be read' } },
    { severity: 'info', code: 'reference-range-not-convertible', params: { analyte: 'Ferritin', unit: 'ng/mL' }, source: 'Observation/f-9' },
  ), { maxLength: 4 }),
  allMissing: fc.boolean(),
  diagnoses: fc.boolean(),
});

type Gen = typeof arb extends fc.Arbitrary<infer G> ? G : never;

function build(g: Gen) {
  const hlh: Partial<Record<Hlh2004ItemId, CriterionItem | 'met' | 'not-met' | 'unknown'>> = {};
  HLH2004_ITEM_IDS.forEach((id, i) => (hlh[id] = g.items[i] === 'met' ? valued(id, g.si) : g.items[i]!));
  const a = assessment({
    cls: g.cls,
    agent: g.agent,
    iec: g.iec,
    hscore: g.hscore,
    ...(g.hscoreComplete ? { hscoreMax: g.hscore } : {}),
    hlh,
    exposure: { daysSince: g.day },
    ...(g.allMissing ? { lastSeen: {} } : {}),
  });
  const others: TriggerExposure[] = g.others.map((o, i) => exposure(o.cls, `${o.agent}${i ? ` ${i}` : ''}`, { daysSince: 3 + i }));
  a.exposure.all = [...a.exposure.all, ...others];
  a.alternatives = g.alternatives.map(
    (x, i): AlternativeExplanation => ({
      kind: x.kind,
      ...(x.text ? { text: x.text } : {}),
      code: { system: x.system, code: `A4${i}.9` },
      ...(x.dated ? { time: '2024-05-12' } : {}),
      source: `Condition/alt-${i}`,
    }),
  );
  a.dataIssues = g.issues;
  if (g.diagnoses) {
    a.hlh2004.documentedDiagnosis = ['Condition/dx-now'];
    a.hlh2004.earlierDiagnosis = [{ source: 'Condition/dx-old', time: '2023-01-01', clinicalStatus: 'resolved' }];
    a.hlh2004.refutedDiagnosis = ['Condition/dx-refuted'];
    // a finding-based HScore variable decided by a marrow report, not a value
    a.hscore.variables = a.hscore.variables.map((v) => (v.id === 'hemophagocytosis' ? { ...v, state: 'met', points: 35, maxPoints: 35, sources: ['Observation/bm-1'] } : v));
  }
  return a;
}

describe('the brief detail over generated assessments', () => {
  it('fits its budget, has at most one table, says what it must; neither it, the full detail nor the summary has anything a clinician cannot use', () => {
    const seen = { critical: 0, warning: 0, info: 0, alternatives: 0 };
    fc.assert(
      fc.property(arb, (g) => {
        const a = build(g);
        const [card] = renderCards(a, { patientId: 'p1' }, content, seqIds());
        if (!card) return;
        const d = card.detail!;
        seen[card.indicator]++;
        expect(d.length).toBeLessThanOrEqual(BRIEF_BUDGET[card.indicator]);
        expect(tableCount(d)).toBeLessThanOrEqual(1);
        // must say
        expect(d).toContain(b.disclaimer);
        expect(d).toContain(`**${b.indicator[card.indicator]}:**`);
        expect(d).toContain(`${a.hlh2004.met} met, ${a.hlh2004.unknown} unknown of 8`);
        expect(d).toContain(`HScore ${a.hscore.score}`);
        expect(d).toContain(a.hscore.probability.display.replace('>', '&gt;'));
        if (g.day !== undefined) expect(d).toContain(`day ${g.day} after`);
        for (const x of a.exposure.all.filter((e) => e.inWindow)) {
          const name = content.wording.agentShortNames[x.agent] ?? x.agent;
          expect(d).toContain(name.slice(0, 10));
        }
        if (a.alternatives.length) {
          seen.alternatives++;
          expect(d.includes(b.alternativesNote) || d.includes(b.alternativesShort.split('{n}')[1]!)).toBe(true);
          expect(d).toMatch(/- Documented (infection|disease progression): /);
        }
        const met = a.hlh2004.items.some((i) => i.state === 'met') || a.iecHs?.features.some((f) => f.state === 'met');
        if (met) expect(d.includes(b.criteriaHeading) || d.includes(b.criteriaShort.replace('{items}', ''))).toBe(true);
        const full = renderCards(a, { patientId: 'p1', detail: 'full' }, content, seqIds())[0]!.detail!;
        for (const text of [d, full, card.summary]) for (const [name, re] of FORBIDDEN) expect({ name, match: re.exec(text)?.[0] }).toEqual({ name, match: undefined });
      }),
      { numRuns: 400, seed: 20261202 },
    );
    expect(seen.critical).toBeGreaterThan(20);
    expect(seen.warning).toBeGreaterThan(5);
    expect(seen.info).toBeGreaterThan(5);
    expect(seen.alternatives).toBeGreaterThan(50);
  });
});
