/**
 * Fixes of the clinical review's data-layer findings, end to end (buildTimeline → assess → renderCards).
 *
 */
import { applyKnowledgeOverride } from '../../src/knowledge/load';
import { CODE, carT, hlh, iec, lab, patient, run } from './fhir';
import { withText } from '../support/issue-text';

type J = Record<string, unknown>;
const subject = { reference: 'Patient/p1' };
const INFUSION = '2026-03-01T10:00:00Z';

const request = (id: string, name: string, extra: J): J => ({
  resourceType: 'MedicationRequest',
  id,
  status: 'completed',
  intent: 'order',
  subject,
  medicationCodeableConcept: { text: name },
  ...extra,
});
const procedure = (id: string, name: string, performedDateTime: string): J => ({
  resourceType: 'Procedure',
  id,
  status: 'completed',
  subject,
  code: { text: name },
  performedDateTime,
});

describe('CAR T day 0 = infusion (ASTCT 2023, Hines et al.), baseline = value at infusion', () => {
  // Repro A: the axi-cel order (authoredOn) is 19 days before the infusion.
  const order = request('mr-axicel', 'axicabtagene ciloleucel', { authoredOn: '2026-02-10' });

  it('repro A: an earlier order date does not become day 0; the card counts days from the infusion', () => {
    const r = run([patient(), carT(INFUSION), order, lab(CODE.ferritin, 60000, 'ng/mL', '2026-03-12T08:00:00Z')], '2026-03-12T10:00:00Z');
    expect(r.timeline.exposures).toHaveLength(1);
    expect(r.timeline.exposures[0]).toMatchObject({ class: 'car-t', agent: 'axicabtagene ciloleucel', start: INFUSION });
    expect(r.timeline.issues.map((i) => i.code)).not.toContain('exposure-start-from-order');
    expect(r.cards).toHaveLength(1);
    expect(r.cards[0]!.summary).toMatch(/day 11 after axi-cel/);
  });

  it('repro A: day 85 after the infusion is still inside the 100-day window (card shown)', () => {
    const t = '2026-05-25T08:00:00Z'; // infusion + 85 days (order + 104 days)
    const r = run([patient(), carT(INFUSION), order, lab(CODE.ferritin, 60000, 'ng/mL', t)], '2026-05-25T10:00:00Z');
    expect(r.a.exposure.status).not.toBe('none');
    expect(r.cards).toHaveLength(1);
    expect(r.cards[0]!.summary).toMatch(/day 85 after axi-cel/);
  });

  it('repro A: a value between order and infusion is the baseline (value at infusion), not a post-day-0 value', () => {
    const r = run(
      [patient(), carT(INFUSION), order, lab(CODE.ferritin, 350, 'ng/mL', '2026-02-25T08:00:00Z'), lab(CODE.ferritin, 700.1, 'ng/mL', '2026-03-12T08:00:00Z')],
      '2026-03-12T10:00:00Z',
    ).a;
    expect(iec(r, 'ferritin.baseline')).toMatchObject({ state: 'met', baseline: { value: 350 } });
  });

  it('repro B: leukapheresis "for CAR T cell manufacturing" is not the infusion', () => {
    const r = run(
      [patient(), procedure('apheresis', 'Leukapheresis for CAR T cell manufacturing', '2026-02-01T09:00:00Z'), carT(INFUSION, 'CAR T cell infusion')],
      '2026-03-12T10:00:00Z',
    );
    expect(r.timeline.exposures).toEqual([
      expect.objectContaining({ class: 'car-t', agent: 'car-t cell therapy (product not stated)', start: INFUSION, last: INFUSION }),
    ]);
    expect(r.timeline.exposures[0]!.sources).not.toContain('Procedure/apheresis');
    expect(r.timeline.issues).toContainEqual(expect.objectContaining({ code: 'procedure-not-exposure', source: 'Procedure/apheresis' }));
  });

  it.each([
    'Leukapheresis for CAR T cell manufacturing',
    'Apheresis - CAR-T collection',
    'T-cell collection for tisagenlecleucel',
    'Lymphodepleting chemotherapy before CAR T',
    'Bridging therapy prior to Yescarta',
  ])('a non-infusion procedure alone is no CAR T exposure: %s', (name) => {
    const r = run([patient(), procedure('x', name, '2026-02-01')], '2026-03-12T10:00:00Z');
    expect(r.timeline.exposures).toEqual([]);
    expect(r.a.exposure.status).toBe('none');
  });

  it('the exclusion tokens are configurable [design]', () => {
    const k = applyKnowledgeOverride({ exposures: { nonExposureProcedureTokens: [] } });
    const r = run([patient(), procedure('x', 'Leukapheresis for CAR T cell manufacturing', '2026-02-01')], '2026-03-12T10:00:00Z', k);
    expect(r.timeline.exposures).toHaveLength(1);
  });

  // The AMA CPT descriptors of the CAR T steps (collection, preparation for transport, receipt and preparation,
  // administration) as the procedure text; the codes themselves are not shipped (site-configured, below).
  const CPT = 'urn:site:billing';
  const step = (id: string, code: string, display: string, time: string): J => ({
    resourceType: 'Procedure', id, status: 'completed', subject, code: { coding: [{ system: CPT, code, display }] }, performedDateTime: time,
  });
  const HARVEST = 'Chimeric antigen receptor T-cell (CAR-T) therapy; harvesting of blood-derived T lymphocytes for development of genetically modified autologous CAR-T cells, per day';
  const TRANSPORT = 'Chimeric antigen receptor T-cell (CAR-T) therapy; preparation of blood-derived T lymphocytes for transportation (eg, cryopreservation, storage)';
  const RECEIPT = 'Chimeric antigen receptor T-cell (CAR-T) therapy; receipt and preparation of CAR-T cells for administration';
  const GIVEN = 'Chimeric antigen receptor T-cell (CAR-T) therapy; CAR-T cell administration, autologous';
  const florid = (t: string): J[] => [
    lab(CODE.ferritin, 12000, 'ng/mL', t), lab(CODE.platelets, 40, '10*9/L', t), lab(CODE.hemoglobin, 7.5, 'g/dL', t),
    lab(CODE.anc, 0.6, '10*9/L', t), lab(CODE.fibrinogen, 90, 'mg/dL', t), lab(CODE.temperature, 39.5, 'Cel', t),
  ];

  it('the steps before the infusion (harvesting, preparation, receipt) never become day 0; the administration does', () => {
    const steps = [
      step('c1', 'S1', HARVEST, '2026-02-01T09:00:00Z'),
      step('c2', 'S2', TRANSPORT, '2026-02-01T15:00:00Z'),
      step('c3', 'S3', RECEIPT, '2026-03-03T08:00:00Z'),
      step('c4', 'S4', GIVEN, '2026-03-03T14:00:00Z'),
    ];
    const r = run([patient(), ...steps, lab(CODE.ferritin, 300, 'ng/mL', '2026-03-02T08:00:00Z'), ...florid('2026-03-14T08:00:00Z')], '2026-03-15T12:00:00Z');
    expect(r.a.exposure.primary).toMatchObject({ day0: '2026-03-03T14:00:00Z', daysSince: 12 });
    expect(r.timeline.exposures.flatMap((e) => e.sources)).toEqual(['Procedure/c4']);
    expect(r.timeline.issues.filter((i) => i.code === 'procedure-not-exposure').map((i) => i.source)).toEqual(['Procedure/c1', 'Procedure/c2', 'Procedure/c3']);
  });

  it('T-cell harvesting alone (no infusion yet) is no exposure: no "day N after infusion" card from bridging-therapy labs', () => {
    const r = run([patient(), step('a1', 'S1', HARVEST, '2026-02-01T09:00:00Z'), ...florid('2026-02-23T08:00:00Z')], '2026-02-24T12:00:00Z');
    expect(r.timeline.exposures).toEqual([]);
    expect(r.cards).toEqual([]);
  });

  it.each([
    ['harvest*', 'CAR T harvesting day 2', false],
    ['collect*', 'Kymriah cell collected', false],
    ['cryopreserv*', 'Cryopreservation of CAR-T product', false],
    ['transport*', 'CAR-T product transported to site', false],
    ['manufactur*', 'Yescarta manufacturing slot', false],
    ['lymphodeplet*', 'Lymphodepleted before CAR T', false],
    ['bridg*', 'Bridge to Yescarta', false],
    ['receipt', 'Receipt of Kymriah', false],
    ['prepar* wins over administration', 'Preparation of Yescarta for administration', false],
    ['an infusion is still an exposure', 'Yescarta infusion', true],
    ['"received" is not "receipt"', 'Patient received Kymriah infusion', true],
    ['"administration" alone', 'CAR-T cell administration, autologous', true],
  ])('step words are stems (%s): "%s" → exposure %s', (_rule, name, exposure) => {
    const r = run([patient(), procedure('x', name, '2026-02-01T09:00:00Z')], '2026-03-12T10:00:00Z');
    expect(r.timeline.exposures.length > 0).toBe(exposure);
  });

  it('step procedure codes are site-configured (none shipped): a configured code is no exposure whatever its text', () => {
    const given = step('c9', 'SITE-HARVEST', 'CAR-T therapy', '2026-02-01T09:00:00Z');
    expect(run([patient(), given], '2026-03-12T10:00:00Z').timeline.exposures).toHaveLength(1);
    const k = applyKnowledgeOverride({ exposures: { nonExposureProcedureCodes: [{ system: CPT, code: 'SITE-HARVEST' }] } });
    const r = run([patient(), given], '2026-03-12T10:00:00Z', k);
    expect(r.timeline.exposures).toEqual([]);
    expect(r.timeline.issues).toContainEqual(expect.objectContaining({ code: 'procedure-not-exposure', source: 'Procedure/c9' }));
  });

  it('a MedicationAdministration of the product is infusion evidence too; it beats statement and scheduled dates', () => {
    const admin = { resourceType: 'MedicationAdministration', id: 'ma1', status: 'completed', subject, medicationCodeableConcept: { text: 'Kymriah' }, effectiveDateTime: INFUSION };
    const statement = { resourceType: 'MedicationStatement', id: 'ms1', status: 'completed', subject, medicationCodeableConcept: { text: 'tisagenlecleucel' }, effectiveDateTime: '2026-02-20' };
    const scheduled = request('mr1', 'tisagenlecleucel', { authoredOn: '2026-02-01', dosageInstruction: [{ timing: { event: ['2026-02-25'] } }] });
    const r = run([patient(), admin, statement, scheduled], '2026-03-12T10:00:00Z');
    expect(r.timeline.exposures).toEqual([expect.objectContaining({ agent: 'tisagenlecleucel', start: INFUSION, last: INFUSION })]);
  });

  it('no infusion evidence: a statement or scheduled date is used before an order date (no order flag)', () => {
    const statement = { resourceType: 'MedicationStatement', id: 'ms1', status: 'completed', subject, medicationCodeableConcept: { text: 'Yescarta' }, effectiveDateTime: '2026-03-01' };
    const r = run([patient(), statement, order], '2026-03-12T10:00:00Z');
    expect(r.timeline.exposures).toEqual([expect.objectContaining({ agent: 'axicabtagene ciloleucel', start: '2026-03-01', last: '2026-03-01' })]);
    expect(r.timeline.issues.map((i) => i.code)).not.toContain('exposure-start-from-order');
  });

  // Changed deliberately: for CAR T the flag is the more specific infusion-not-documented (day 0 = infusion; an
  // order or plan is not one), and the card says "planned infusion".
  it('only an order date: it is used, flagged (infusion-not-documented) and called the planned infusion on the card', () => {
    const r = run([patient(), order, lab(CODE.ferritin, 60000, 'ng/mL', '2026-03-12T08:00:00Z')], '2026-03-12T10:00:00Z');
    expect(r.timeline.exposures).toEqual([expect.objectContaining({ agent: 'axicabtagene ciloleucel', start: '2026-02-10', infusionPlanned: true })]);
    expect(r.timeline.issues.map(withText)).toContainEqual(
      expect.objectContaining({ code: 'infusion-not-documented', severity: 'warning', source: 'MedicationRequest/mr-axicel', message: expect.stringContaining('order date 2026-02-10') }),
    );
    expect(r.cards).toHaveLength(1);
    expect(r.cards[0]!.detail).toContain('infusion-not-documented');
    expect(r.cards[0]!.summary).toMatch(/day 30 after planned axi-cel infusion: /);
  });

  it('a planned infusion date (timing.event) and no administration: screened from the plan, "planned infusion", a warning', () => {
    const planned = request('mr-plan', 'axicabtagene ciloleucel (Yescarta) suspension for IV infusion', {
      status: 'active', authoredOn: '2026-02-05T10:00:00Z', dosageInstruction: [{ timing: { event: ['2026-03-01T09:00:00Z'] } }],
    });
    const r = run([patient(), planned, lab(CODE.ferritin, 60000, 'ng/mL', '2026-03-12T08:00:00Z')], '2026-03-12T10:00:00Z');
    expect(r.a.exposure.primary).toMatchObject({ day0: '2026-03-01T09:00:00Z', day0Basis: 'infusion', infusionPlanned: true, daysSince: 11 });
    expect(r.timeline.issues.map(withText)).toContainEqual(expect.objectContaining({ code: 'infusion-not-documented', message: expect.stringContaining('planned date 2026-03-01T09:00:00Z') }));
    expect(r.cards[0]!.summary).toMatch(/day 11 after planned axi-cel infusion: /);
    expect(r.cards[0]!.detail).toContain('day 11 after the planned infusion (2026-03-01 09:00Z); the infusion itself is not documented');
    expect(r.cards[0]!.detail).not.toMatch(/after infusion \(/);
  });

  it('once the administration is documented, it is day 0 and nothing is flagged', () => {
    const planned = request('mr-plan2', 'Yescarta', { status: 'active', dosageInstruction: [{ timing: { event: ['2026-02-25T09:00:00Z'] } }] });
    const r = run([patient(), planned, carT(INFUSION), lab(CODE.ferritin, 60000, 'ng/mL', '2026-03-12T08:00:00Z')], '2026-03-12T10:00:00Z');
    expect(r.a.exposure.primary).toMatchObject({ day0: INFUSION, day0Basis: 'infusion' });
    expect(r.a.exposure.primary?.infusionPlanned).toBeUndefined();
    expect(r.timeline.issues.map((i) => i.code)).not.toContain('infusion-not-documented');
    expect(r.cards[0]!.summary).toMatch(/day 11 after axi-cel: /);
  });

  it('other classes: an order date never moves the first dose earlier than a documented administration', () => {
    const pembroOrder = request('mr-p', 'pembrolizumab', { authoredOn: '2025-11-01' });
    const admin = { resourceType: 'MedicationAdministration', id: 'ma-p', status: 'completed', subject, medicationCodeableConcept: { text: 'pembrolizumab' }, effectiveDateTime: '2026-01-05T10:00:00Z' };
    const r = run([patient(), pembroOrder, admin], '2026-03-12T10:00:00Z');
    expect(r.timeline.exposures).toEqual([expect.objectContaining({ agent: 'pembrolizumab', start: '2026-01-05T10:00:00Z', last: '2026-01-05T10:00:00Z' })]);
    expect(r.timeline.issues.map((i) => i.code)).not.toContain('exposure-start-from-order');
  });

  it('other classes: a course documented as started earlier (statement) keeps that first dose; later inpatient doses do not restart it', () => {
    // Home lamotrigine since 2025-06 and an inpatient dose on 2026-03-10: the 8-week window (lamotrigine window, docs/knowledge.md) is long closed.
    const statement = { resourceType: 'MedicationStatement', id: 'ms-l', status: 'active', subject, medicationCodeableConcept: { text: 'lamotrigine 100 mg' }, effectivePeriod: { start: '2025-06-01' } };
    const admin = { resourceType: 'MedicationAdministration', id: 'ma-l', status: 'completed', subject, medicationCodeableConcept: { text: 'lamotrigine 100 mg' }, effectiveDateTime: '2026-03-10T08:00:00Z' };
    const r = run([patient(), statement, admin], '2026-03-12T10:00:00Z');
    expect(r.timeline.exposures).toEqual([expect.objectContaining({ agent: 'lamotrigine', start: '2025-06-01', last: '2026-03-10T08:00:00Z' })]);
  });

  it('HLH-2004 is unaffected by the exposure date (sanity)', () => {
    const r = run([patient(), carT(INFUSION), order, lab(CODE.ferritin, 600, 'ng/mL', '2026-03-12T08:00:00Z')], '2026-03-12T10:00:00Z').a;
    expect(hlh(r, 'ferritin').state).toBe('met');
  });
});

describe('ferritin without a lab range uses the configurable default ULN [design]', () => {
  const T = '2026-03-12T08:00:00Z';
  const AS_OF = '2026-03-12T10:00:00Z';
  const at = (v: number, knowledge?: Parameters<typeof run>[2]) => run([patient(), carT(INFUSION), lab(CODE.ferritin, v, 'ng/mL', T)], AS_OF, knowledge);

  it('default: no fallback range in the timeline; the criteria default 400 ng/mL [design] applies and is marked', () => {
    const r = at(801);
    expect(r.timeline.labs.ferritin?.[0]?.referenceRange).toBeUndefined();
    const f = iec(r.a, 'ferritin.uln');
    expect(f).toMatchObject({ state: 'met', referenceRange: { high: 400, source: 'default' } });
    expect(f.flags).toContain('default-uln');
  });

  it('criteria.ferritinDefaultUln override is in force (1,000 ng/mL → 2 × ULN = 2,000)', () => {
    const k = applyKnowledgeOverride({ criteria: { ferritinDefaultUln: { value: 1000, unit: 'ng/mL' } } });
    const below = iec(at(1500, k).a, 'ferritin.uln');
    expect(below).toMatchObject({ state: 'not-met', referenceRange: { high: 1000, source: 'default' } });
    expect(below.flags).toContain('default-uln');
    expect(iec(at(2000.1, k).a, 'ferritin.uln').state).toBe('met');
  });

  it('a lab range still wins over the default', () => {
    const k = applyKnowledgeOverride({ criteria: { ferritinDefaultUln: { value: 1000, unit: 'ng/mL' } } });
    const r = run([patient(), carT(INFUSION), lab(CODE.ferritin, 1500, 'ng/mL', T, { referenceRange: [{ high: { value: 300, unit: 'ng/mL' } }] })], AS_OF, k);
    expect(iec(r.a, 'ferritin.uln')).toMatchObject({ state: 'met', referenceRange: { high: 300, source: 'lab' } });
  });
});

describe('sCD25 is U/mL only; IU/mL is not aliased to U/mL for it (HLH-2004, Henter 2007)', () => {
  const T = '2026-03-12T08:00:00Z';
  const AS_OF = '2026-03-12T10:00:00Z';
  const site = { system: 'urn:site', code: 'SIL2R' };
  // Only the site's code is added: the shipped scd25 unit rules stay in force.
  const k = applyKnowledgeOverride({ analytes: { analytes: { scd25: { codes: [site] } } } });
  // The clinical review's override replaces notConvertible with its own list: IU/mL must still be refused.
  const kReplaced = applyKnowledgeOverride({
    analytes: { analytes: { scd25: { codes: [site], notConvertible: [{ unit: 'pg/mL', reason: 'assay-specific' }] } } },
  });
  const scd25 = (value: number, unit: string): J => ({
    resourceType: 'Observation', id: `s-${value}`, status: 'final', code: { coding: [site] }, subject, effectiveDateTime: T, valueQuantity: { value, unit },
  });
  const at = (unit: string, knowledge = k) => run([patient(), carT(INFUSION), scd25(5000, unit), lab(CODE.ferritin, 1001, 'ng/mL', T)], AS_OF, knowledge);

  it.each(['IU/mL', 'IU/ml', 'iu/mL', 'IU/L', '[IU]/mL'])('sCD25 in %s is not evaluable (HLH-2004 and OHI unknown)', (unit) => {
    for (const knowledge of [k, kReplaced]) {
      const r = at(unit, knowledge);
      expect(r.timeline.labs.scd25).toBeUndefined();
      expect(r.timeline.notEvaluable).toContainEqual(expect.objectContaining({ analyte: 'scd25', original: { value: 5000, unit } }));
      expect(hlh(r.a, 'scd25')).toMatchObject({ state: 'unknown', reason: 'unit-not-evaluable' });
      expect(r.a.ohi.state).toBe('unknown');
    }
  });

  it('the shipped rule says why: IU is refused for sCD25', () => {
    expect(at('IU/mL').timeline.notEvaluable).toContainEqual(
      expect.objectContaining({ analyte: 'scd25', reasonCode: 'unit-refused', reason: expect.stringContaining('only U/mL') }),
    );
  });

  it('sCD25 in U/mL (and kU/L, the same unit) is still evaluated', () => {
    expect(hlh(at('U/mL').a, 'scd25').state).toBe('met');
    expect(at('kU/L').timeline.labs.scd25?.[0]).toMatchObject({ value: 5000, unit: 'U/mL' });
  });

  it('enzymes keep the IU alias: ALT 120 IU/L = 120 U/L', () => {
    const r = run([patient(), lab(CODE.alt, 120, 'IU/L', T), lab(CODE.ast, 0.12, 'IU/mL', T)], AS_OF);
    expect(r.timeline.labs.alt?.[0]).toMatchObject({ value: 120, unit: 'U/L' });
    expect(r.timeline.labs.ast?.[0]).toMatchObject({ value: 120, unit: 'U/L' });
  });
});
