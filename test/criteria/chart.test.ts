/**
 * What the chart already says: unusable results (data absent,
 * unit missing, implausible), a documented marrow examination, an earlier or refuted HLH diagnosis — and how the
 * work-up and the card use them.
 */
import { assess } from '../../src/criteria';
import type { Assessment } from '../../src/criteria/types';
import { renderCards } from '../../src/render/cards';
import { loadCardContent } from '../../src/render/content';
import { planWorkup } from '../../src/render/workup';
import type { NotEvaluableValue } from '../../src/timeline/types';
import { ASOF, K, dAgo, exposure, finding, hAgo, lab, timeline, type TimelineParts } from './helpers';

const content = loadCardContent();
const car = [exposure('car-t', 'axicabtagene ciloleucel', 10)];
const IEC_LABS = [lab('ferritin', 24500, { h: 2 }), lab('fibrinogen', 110, { h: 2 })];

function ne(analyte: NotEvaluableValue['analyte'], reasonCode: NotEvaluableValue['reasonCode'], h: number, detail?: string): NotEvaluableValue {
  return { analyte, reason: 'x', reasonCode, time: hAgo(h), original: {}, source: `Observation/${analyte}-ne-${h}`, ...(detail ? { detail } : {}) };
}
const run = (p: TimelineParts): Assessment => assess(timeline({ exposures: car, ...p }), ASOF, K);

describe('unusable results', () => {
  it.each([
    ['data absent, newer than the last usable value', [lab('fibrinogen', 300, { h: 30 })], [ne('fibrinogen', 'data-absent', 3, 'specimen clotted')], { analyte: 'fibrinogen', kind: 'data-absent', reason: 'specimen clotted' }],
    ['data absent, older than the last usable value', [lab('fibrinogen', 300, { h: 1 })], [ne('fibrinogen', 'data-absent', 3, 'clotted')], undefined],
    ['no unit → unit-missing', [], [ne('ldh', 'no-unit', 2)], { analyte: 'ldh', kind: 'unit-missing' }],
    ['implausible', [], [ne('ferritin', 'implausible', 2)], { analyte: 'ferritin', kind: 'implausible' }],
    ['outside the 7-day lookback', [], [ne('ldh', 'no-unit', 7 * 24 + 1)], undefined],
    ['after asOf', [], [ne('ldh', 'no-unit', -1)], undefined],
    ['other reasons (unit not convertible) are not "unusable results"', [], [ne('ldh', 'unit-not-convertible', 2)], undefined],
  ] as const)('%s', (_l, labs, notEvaluable, expected) => {
    const a = run({ labs: [...labs], notEvaluable: [...notEvaluable] });
    if (expected) expect(a.unusable).toEqual([expect.objectContaining(expected)]);
    else expect(a.unusable).toEqual([]);
  });

  it('the latest per analyte wins', () => {
    const a = run({ notEvaluable: [ne('ldh', 'no-unit', 5), ne('ldh', 'data-absent', 2, 'hemolysed')] });
    expect(a.unusable).toEqual([expect.objectContaining({ kind: 'data-absent', reason: 'hemolysed' })]);
  });
});

describe('the work-up and the card', () => {
  const plan = (a: Assessment) => planWorkup(a, content);
  const card = (a: Assessment) => renderCards(a, { patientId: 'p1', detail: 'full' }, content, () => 'u')[0]!;

  it('a clotted fibrinogen 3 h ago is offered as a repeat, not as "no result"', () => {
    const a = run({ labs: [lab('ferritin', 24500, { h: 2 }), lab('platelets', 40, { h: 2 })], notEvaluable: [ne('fibrinogen', 'data-absent', 3, 'specimen clotted')] });
    const due = plan(a).bundle.find((d) => d.item.id === 'fibrinogen');
    expect(due).toMatchObject({ reason: 'repeat', analytes: ['fibrinogen'] });
    const c = card(a);
    const order = c.suggestions?.[0]?.actions?.find((x) => x.description?.startsWith('Order Fibrinogen'));
    expect(order?.description).toBe('Order Fibrinogen (repeat: no usable result: specimen clotted)');
    expect(c.detail).toContain('No usable result, repeat offered: Fibrinogen (no usable result: specimen clotted, ');
    expect(c.detail).toMatch(/\| Hypofibrinogenemia \\\(&lt; 150 mg\/dL or &lt; LLN\\\) \| unknown \(no usable result: specimen clotted\) \|/);
    expect(c.detail).not.toMatch(/No result: [^\n]*Fibrinogen/);
    expect((c.extension?.['org.hlh-sentinel.assessment'] as { missingWorkup: unknown[] }).missingWorkup).toContainEqual({ id: 'fibrinogen', reason: 'repeat' });
  });

  it('a result with no unit is not re-ordered; the card asks to check it', () => {
    const a = run({ labs: IEC_LABS, notEvaluable: [ne('ldh', 'no-unit', 2)] });
    expect(plan(a).bundle.map((d) => d.item.id)).not.toContain('ldh');
    expect(plan(a).check).toEqual([expect.objectContaining({ reason: 'check', analytes: ['ldh'] })]);
    const c = card(a);
    expect(c.detail).toContain('Result present but not usable, check it with the laboratory (not re-ordered): LDH (result present, unit missing, ');
    expect(c.detail).toMatch(/Not assessable from the data \(may be present\): LDH &gt; ULN \(result present, unit missing\);/);
  });

  it('a newer result without a unit after a usable one: still named, nothing ordered', () => {
    const a = run({ labs: [...IEC_LABS, lab('ldh', 300, { h: 10 })], notEvaluable: [ne('ldh', 'no-unit', 2)] });
    expect(plan(a).bundle.map((d) => d.item.id)).not.toContain('ldh');
    expect(plan(a).check).toEqual([expect.objectContaining({ analytes: ['ldh'] })]);
    expect(card(a).detail).toContain('check it with the laboratory (not re-ordered): LDH (result present, unit missing, ');
  });

  it('an unusable result older than the freshness window does not hold back a new order', () => {
    const a = run({ labs: IEC_LABS, notEvaluable: [ne('ldh', 'no-unit', 30)] }); // LDH freshness 24 h
    expect(plan(a).bundle.find((d) => d.item.id === 'ldh')).toMatchObject({ reason: 'missing' });
  });

  it('a CBC with one clotted lineage and the others fresh: repeat for that lineage only', () => {
    const a = run({ labs: [...IEC_LABS, lab('platelets', 40, { h: 2 }), lab('anc', 0.5, { h: 2 }), lab('wbc', 1, { h: 2 })], notEvaluable: [ne('hemoglobin', 'data-absent', 2, 'clotted')] });
    expect(plan(a).bundle.find((d) => d.item.id === 'cbc-diff')).toMatchObject({ reason: 'repeat', analytes: ['hemoglobin'] });
    expect(card(a).suggestions?.[0]?.actions?.some((x) => x.description === 'Order CBC with differential (repeat for hemoglobin: no usable result: clotted)')).toBe(true);
  });
});

describe('a documented marrow examination', () => {
  const marrow = (present: boolean, daysAgo: number, extra = {}) => finding('hemophagocytosis', present, { time: dAgo(daysAgo), source: `Observation/marrow-${daysAgo}`, ...extra });
  it.each([
    ['negative since day 0', [marrow(false, 2)], { hemophagocytosis: false, source: 'Observation/marrow-2' }],
    ['negative before day 0 (staging marrow) does not count', [marrow(false, 12)], undefined],
    ['undated does not count (when is unknown)', [{ ...marrow(false, 2), time: undefined }], undefined],
    ['a positive wins over a later negative', [marrow(true, 5), marrow(false, 2)], { hemophagocytosis: true, source: 'Observation/marrow-5' }],
    ['an unconfirmed positive is ignored', [marrow(true, 3, { verificationStatus: 'provisional' }), marrow(false, 2)], { hemophagocytosis: false }],
  ] as const)('%s', (_l, findings, expected) => {
    const a = run({ labs: IEC_LABS, findings: [...findings] });
    if (expected) expect(a.marrowExamination).toMatchObject(expected);
    else expect(a.marrowExamination).toBeUndefined();
  });

  it('replaces the "consider bone marrow biopsy" advice with when and what was found', () => {
    const with_ = renderCards(run({ labs: IEC_LABS, findings: [marrow(false, 2)] }), { patientId: 'p1', detail: 'full' }, content, () => 'u')[0]!.detail!;
    expect(with_).not.toContain('Consider bone marrow aspirate/biopsy');
    expect(with_).toContain(`Marrow/tissue examination documented ${dAgo(2).slice(0, 10)} 12:00Z: no hemophagocytosis; a bone marrow biopsy is not suggested again.`);
    const without = renderCards(run({ labs: IEC_LABS }), { patientId: 'p1', detail: 'full' }, content, () => 'u')[0]!.detail!;
    expect(without).toContain('Consider bone marrow aspirate/biopsy');
  });
});

describe('HLH diagnosis: current, history, refuted', () => {
  const dx = (o: object) => finding('hlh-diagnosis', true, { source: 'Condition/hlh', ...o });
  it.each([
    ['active', [dx({ clinicalStatus: 'active', time: dAgo(400) })], ['Condition/hlh'], 0, 0],
    ['resolved', [dx({ clinicalStatus: 'resolved', time: '2024-05-01' })], [], 1, 0],
    ['inactive', [dx({ clinicalStatus: 'inactive' })], [], 1, 0],
    ['no status, onset 200 days ago', [dx({ time: dAgo(200) })], [], 1, 0],
    ['no status, onset 10 days ago', [dx({ time: dAgo(10) })], ['Condition/hlh'], 0, 0],
    ['refuted', [finding('hlh-diagnosis', false, { source: 'Condition/hlh', verificationStatus: 'refuted' })], [], 0, 1, 0],
    ['differential (being considered)', [dx({ clinicalStatus: 'active', verificationStatus: 'differential', time: dAgo(1) })], [], 0, 0, 1],
    ['provisional', [dx({ clinicalStatus: 'active', verificationStatus: 'provisional', time: dAgo(1) })], [], 0, 0, 1],
    ['confirmed', [dx({ clinicalStatus: 'active', verificationStatus: 'confirmed', time: dAgo(1) })], ['Condition/hlh'], 0, 0, 0],
  ] as const)('%s', (_l, findings, current, earlier, refuted, unconfirmed = 0) => {
    const h = run({ labs: IEC_LABS, findings: [...findings] }).hlh2004;
    expect(h.documentedDiagnosis).toEqual(current);
    expect(h.earlierDiagnosis).toHaveLength(earlier);
    expect(h.refutedDiagnosis).toHaveLength(refuted);
    expect(h.unconfirmedDiagnosis ?? []).toHaveLength(unconfirmed);
  });

  it('the card shows a differential HLH diagnosis as being considered, never "HLH diagnosis documented"', () => {
    const findings = [dx({ clinicalStatus: 'active', verificationStatus: 'differential', time: dAgo(1) })];
    const detail = renderCards(run({ labs: IEC_LABS, findings }), { patientId: 'p1', detail: 'full' }, content, () => 'u')[0]!.detail!;
    expect(detail).not.toContain('HLH diagnosis documented');
    expect(detail).toContain('HLH diagnosis recorded as provisional or differential: being considered, not a documented diagnosis.');
  });

  it('the card shows a resolved diagnosis as history, not "HLH diagnosis documented"', () => {
    const detail = renderCards(run({ labs: IEC_LABS, findings: [dx({ clinicalStatus: 'resolved', time: '2024-05-01' })] }), { patientId: 'p1', detail: 'full' }, content, () => 'u')[0]!.detail!;
    expect(detail).not.toContain('HLH diagnosis documented');
    expect(detail).toContain('Earlier HLH diagnosis on record (resolved, 2024-05-01): history, not a current diagnosis.');
  });
});
