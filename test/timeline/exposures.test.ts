import { defaultKnowledge } from '../../src/knowledge';
import { createTimelineBuilder, exposureWindows, DAY_MS, toEpochMs, type Exposure } from '../../src/timeline';
import { patient, RXNORM } from './fixtures';

const build = createTimelineBuilder(defaultKnowledge);
const run = (...resources: unknown[]) => build([patient, ...resources], { patientId: 'p1' });
const subject = { reference: 'Patient/p1' };

const admin = (id: string, med: Record<string, unknown>, when: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  resourceType: 'MedicationAdministration',
  id,
  status: 'completed',
  subject,
  ...med,
  ...when,
  ...extra,
});
const rx = (code: string, display: string) => ({
  medicationCodeableConcept: { coding: [{ system: RXNORM, code, display }], text: display },
});
const text = (t: string) => ({ medicationCodeableConcept: { text: t } });

describe('exposure matching (table)', () => {
  const rows: [string, unknown, Partial<Exposure>][] = [
    [
      'RxNorm-coded pembrolizumab',
      admin('a1', rx('1547545', 'pembrolizumab'), { effectiveDateTime: '2026-01-05T10:00:00Z' }),
      { class: 'checkpoint-inhibitor', agent: 'pembrolizumab', matchedBy: 'code', matched: `${RXNORM}|1547545`, start: '2026-01-05T10:00:00Z' },
    ],
    [
      'brand name in free text (Keytruda)',
      admin('a1', text('KEYTRUDA 200 mg in NaCl 0.9% 100 mL IV'), { effectiveDateTime: '2026-01-05' }),
      { class: 'checkpoint-inhibitor', agent: 'pembrolizumab', matchedBy: 'name', matched: 'keytruda' },
    ],
    [
      'CAR T product in a Procedure (day 0)',
      { resourceType: 'Procedure', id: 'pr1', status: 'completed', subject, code: { text: 'Yescarta (axi-cel) infusion' }, performedDateTime: '2026-02-10T09:30:00Z' },
      { class: 'car-t', agent: 'axicabtagene ciloleucel', matchedBy: 'name', matched: 'yescarta', start: '2026-02-10T09:30:00Z' },
    ],
    [
      'CAR T infusion without product',
      { resourceType: 'Procedure', id: 'pr2', status: 'completed', subject, code: { text: 'CAR-T cell infusion' }, performedPeriod: { start: '2026-02-10', end: '2026-02-10' } },
      { class: 'car-t', agent: 'car-t cell therapy (product not stated)', matchedBy: 'name', start: '2026-02-10' },
    ],
    [
      'generic name with accents and punctuation (cilta-cel)',
      admin('a1', text('Ciltacabtagène autoleucel (Carvykti®) suspension'), { effectiveDateTime: '2026-02-01' }),
      { class: 'car-t', agent: 'ciltacabtagene autoleucel', matchedBy: 'name', matched: 'carvykti' },
    ],
    [
      'sulfamethoxazole-trimethoprim in either order',
      admin('a1', text('Sulfamethoxazole-Trimethoprim 800-160 mg tablet'), { effectiveDateTime: '2026-01-05' }),
      { class: 'tmp-smx', agent: 'trimethoprim-sulfamethoxazole', matchedBy: 'name', matched: 'sulfamethoxazole trimethoprim' },
    ],
    [
      'ibrutinib request: coded, active, bounds start',
      {
        resourceType: 'MedicationRequest',
        id: 'r1',
        status: 'active',
        intent: 'order',
        subject,
        ...rx('1442981', 'ibrutinib'),
        authoredOn: '2025-12-20',
        dosageInstruction: [{ timing: { repeat: { boundsPeriod: { start: '2026-01-02' }, frequency: 1, period: 1, periodUnit: 'd' } } }],
      },
      { class: 'btk-inhibitor', agent: 'ibrutinib', matchedBy: 'code', start: '2026-01-02', last: '2026-01-02', ongoing: true },
    ],
  ];
  test.each(rows)('%s', (_label, resource, expected) => {
    const t = run(resource);
    expect(t.exposures).toHaveLength(1);
    expect(t.exposures[0]).toMatchObject(expected);
  });

  test('completed administrations say nothing about the course: ongoing not stated', () => {
    const t = run(admin('a1', rx('1547545', 'pembrolizumab'), { effectiveDateTime: '2026-01-05' }));
    expect(t.exposures[0]).not.toHaveProperty('ongoing');
  });

  test('trimethoprim alone is not TMP-SMX; unrelated drugs are ignored', () => {
    const t = run(
      admin('a1', text('Trimethoprim 100 mg tablet'), { effectiveDateTime: '2026-01-05' }),
      admin('a2', text('Paracetamol 1 g'), { effectiveDateTime: '2026-01-05' }),
    );
    expect(t.exposures).toEqual([]);
    expect(t.issues).toEqual([]);
  });
});

describe('exposure merge, dates and statuses', () => {
  test('several resources for one agent merge: earliest start, latest last, code beats name', () => {
    const t = run(
      admin('a2', text('Keytruda'), { effectiveDateTime: '2026-02-15' }),
      admin('a1', rx('1547545', 'pembrolizumab'), { effectiveDateTime: '2026-01-05' }),
      admin('a3', text('pembrolizumab'), { effectivePeriod: { start: '2026-03-08T10:00:00Z', end: '2026-03-08T10:30:00Z' } }),
      { resourceType: 'MedicationStatement', id: 's1', status: 'completed', subject, ...text('pembrolizumab'), effectiveDateTime: '2025-12-01' },
    );
    expect(t.exposures).toEqual([
      {
        class: 'checkpoint-inhibitor',
        agent: 'pembrolizumab',
        start: '2025-12-01',
        last: '2026-03-08T10:30:00Z',
        doseIncreases: [],
        // every dated piece of evidence, in time order, with what it documents (the engine splits courses on it)
        dates: [
          { at: '2025-12-01', kind: 'reported', ongoing: false, source: 'MedicationStatement/s1' }, // completed: ended
          { at: '2026-01-05', kind: 'administered', source: 'MedicationAdministration/a1' },
          { at: '2026-02-15', kind: 'administered', source: 'MedicationAdministration/a2' },
          { at: '2026-03-08T10:00:00Z', until: '2026-03-08T10:30:00Z', kind: 'administered', source: 'MedicationAdministration/a3' },
        ],
        ongoing: false,
        matchedBy: 'code',
        matched: `${RXNORM}|1547545`,
        sources: ['MedicationAdministration/a1', 'MedicationAdministration/a2', 'MedicationAdministration/a3', 'MedicationStatement/s1'],
      },
    ]);
  });

  test('MedicationRequest without any date: exposure kept without start, plus an issue', () => {
    const t = run({ resourceType: 'MedicationRequest', id: 'r9', status: 'active', intent: 'order', subject, ...text('Tecvayli step-up dosing') });
    expect(t.exposures).toEqual([
      {
        class: 't-cell-engager',
        agent: 'teclistamab',
        doseIncreases: [],
        dates: [],
        ongoing: true,
        matchedBy: 'name',
        matched: 'tecvayli',
        sources: ['MedicationRequest/r9'],
      },
    ]);
    expect(t.issues).toEqual([expect.objectContaining({ code: 'exposure-without-date', severity: 'warning', source: 'MedicationRequest/r9' })]);
  });

  test('request dates: authoredOn only when nothing better; timing events and the validityPeriod start used (its end is no dose)', () => {
    const t = run(
      { resourceType: 'MedicationRequest', id: 'r1', status: 'completed', intent: 'order', subject, ...text('blinatumomab'), authoredOn: '2026-01-01' },
      {
        resourceType: 'MedicationRequest',
        id: 'r2',
        status: 'completed',
        intent: 'order',
        subject,
        ...text('glofitamab'),
        authoredOn: '2025-11-01',
        dosageInstruction: [{ timing: { event: ['2026-01-08', '2026-01-15'] } }],
        dispenseRequest: { validityPeriod: { start: '2026-01-07', end: '2026-02-07' } },
      },
    );
    expect(t.exposures.map((e) => [e.agent, e.start, e.last, e.ongoing])).toEqual([
      ['blinatumomab', '2026-01-01', '2026-01-01', false],
      ['glofitamab', '2026-01-07', '2026-01-15', false],
    ]);
    // the order date stands in for the first dose only for blinatumomab, and says so
    expect(t.issues.map((i) => [i.code, i.severity, i.source])).toEqual([['exposure-start-from-order', 'warning', 'MedicationRequest/r1']]);
  });

  test('CAR T day 0 = infusion: procedure/administration beats statement, schedule and order; apheresis is no exposure', () => {
    const t = run(
      { resourceType: 'MedicationRequest', id: 'r1', status: 'completed', intent: 'order', subject, ...text('Yescarta'), authoredOn: '2026-01-20' },
      { resourceType: 'MedicationStatement', id: 's1', status: 'completed', subject, ...text('axi-cel (Yescarta)'), effectiveDateTime: '2026-02-05' },
      { resourceType: 'Procedure', id: 'p0', status: 'completed', subject, code: { text: 'Leukapheresis for Yescarta manufacturing' }, performedDateTime: '2026-01-25' },
      { resourceType: 'Procedure', id: 'p1', status: 'completed', subject, code: { text: 'Yescarta infusion' }, performedDateTime: '2026-02-10T09:30:00Z' },
    );
    expect(t.exposures).toEqual([
      expect.objectContaining({
        agent: 'axicabtagene ciloleucel',
        start: '2026-02-10T09:30:00Z',
        last: '2026-02-10T09:30:00Z',
        sources: ['MedicationRequest/r1', 'MedicationStatement/s1', 'Procedure/p1'],
      }),
    ]);
    expect(t.issues.map((i) => [i.code, i.source])).toEqual([['procedure-not-exposure', 'Procedure/p0']]);
  });

  test('entered-in-error, not-done, cancelled, draft and proposal/plan intents are not exposures', () => {
    const t = run(
      admin('a1', text('nivolumab'), { effectiveDateTime: '2026-01-05' }, { status: 'entered-in-error' }),
      admin('a2', text('nivolumab'), { effectiveDateTime: '2026-01-05' }, { status: 'not-done' }),
      { resourceType: 'MedicationRequest', id: 'r1', status: 'cancelled', intent: 'order', subject, ...text('nivolumab') },
      { resourceType: 'MedicationRequest', id: 'r2', status: 'draft', intent: 'order', subject, ...text('nivolumab') },
      { resourceType: 'MedicationRequest', id: 'r3', status: 'active', intent: 'proposal', subject, ...text('nivolumab') },
      { resourceType: 'MedicationRequest', id: 'r4', status: 'active', intent: 'plan', subject, ...text('Kymriah') },
      { resourceType: 'Procedure', id: 'p1', status: 'preparation', subject, code: { text: 'Kymriah infusion' } },
    );
    expect(t.exposures).toEqual([]);
    expect(t.issues.map((i) => [i.code, i.source])).toEqual([
      ['entered-in-error-skipped', 'MedicationAdministration/a1'],
      ['intent-not-exposure', 'MedicationRequest/r3'],
      ['intent-not-exposure', 'MedicationRequest/r4'],
      ['status-not-exposure', 'MedicationAdministration/a2'],
      ['status-not-exposure', 'MedicationRequest/r1'],
      ['status-not-exposure', 'MedicationRequest/r2'],
      ['status-not-exposure', 'Procedure/p1'],
    ]);
  });

  test('lamotrigine dose increases: per dose, and per day when frequency is given', () => {
    const t = run(
      {
        resourceType: 'MedicationStatement',
        id: 's1',
        status: 'active',
        subject,
        ...text('Lamotrigine 25 mg tablet'),
        effectivePeriod: { start: '2026-01-01' },
        dosage: [{ timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd' } }, doseAndRate: [{ doseQuantity: { value: 25, unit: 'mg' } }] }],
      },
      {
        resourceType: 'MedicationRequest',
        id: 'r1',
        status: 'active',
        intent: 'order',
        subject,
        ...text('Lamictal'),
        dosageInstruction: [
          {
            timing: { repeat: { boundsPeriod: { start: '2026-01-15' }, frequency: 2, period: 1, periodUnit: 'd' } },
            doseAndRate: [{ doseQuantity: { value: 25, unit: 'mg', system: 'http://unitsofmeasure.org', code: 'mg' } }],
          },
          {
            timing: { repeat: { boundsPeriod: { start: '2026-02-12' }, frequency: 2, period: 1, periodUnit: 'd' } },
            doseAndRate: [{ doseQuantity: { value: 0.05, unit: 'g' } }],
          },
        ],
      },
      admin('a1', text('lamotrigine'), { effectiveDateTime: '2026-02-20' }, { dosage: { dose: { value: 50, unit: 'mg' } } }),
    );
    const lam = t.exposures.find((e) => e.class === 'lamotrigine');
    expect(lam).toMatchObject({ start: '2026-01-01', last: '2026-02-20', ongoing: true, doseIncreases: ['2026-01-15', '2026-02-12'] });
  });

  // Lamotrigine window: 0–8 weeks after start or dose increase (FDA Drug Safety Communication, 25 Apr 2018): an
  // increase is a higher daily amount, so a stable asymmetric regimen never reopens the window.
  describe('dose increases are daily amounts per site calendar day', () => {
    const dose = (id: string, mg: number, time: string) => admin(id, text('lamotrigine tablet'), { effectiveDateTime: time }, { dosage: { dose: { value: mg, unit: 'mg' } } });
    const twiceDaily = (days: string[], am: number, pm: number, zone = 'Z') =>
      days.flatMap((d) => [dose(`am${d}${am}`, am, `2026-03-${d}T08:00:00${zone}`), dose(`pm${d}${pm}`, pm, `2026-03-${d}T20:00:00${zone}`)]);
    const increases = (...resources: unknown[]) => run(...resources).exposures.find((e) => e.class === 'lamotrigine')?.doseIncreases;

    test('25 mg mornings and 50 mg evenings every day is a stable 75 mg/day: no increase', () => {
      expect(increases(...twiceDaily(['10', '11', '12', '13', '14'], 25, 50))).toEqual([]);
    });

    test('a higher daily total is an increase, dated at that day’s first dose; a lower one is not', () => {
      expect(increases(...twiceDaily(['10', '11'], 25, 25), ...twiceDaily(['12', '13'], 50, 50), ...twiceDaily(['14'], 25, 25))).toEqual(['2026-03-12T08:00:00Z']);
    });

    test('the same dose at one instant from two sources counts once', () => {
      expect(increases(dose('x1', 50, '2026-03-10T08:00:00Z'), dose('x2', 50, '2026-03-11T08:00:00Z'), dose('x3', 50, '2026-03-11T08:00:00Z'))).toEqual([]);
    });

    test('calendar days are the site’s: 19:00 and 21:00 New York time are one day (two different UTC days)', () => {
      const resources = [
        dose('d1a', 25, '2026-03-10T19:00:00-04:00'), dose('d1b', 25, '2026-03-10T21:00:00-04:00'),
        dose('d2a', 25, '2026-03-11T19:00:00-04:00'), dose('d2b', 25, '2026-03-11T21:00:00-04:00'),
      ];
      expect(build([patient, ...resources], { patientId: 'p1' }).exposures[0]?.doseIncreases).toEqual(['2026-03-10T21:00:00-04:00']); // UTC: 25 mg, then 50 mg on 03-11
      const t = build([patient, ...resources], { patientId: 'p1', timeZone: 'America/New_York' });
      expect(t.exposures[0]?.doseIncreases).toEqual([]);
    });
  });

  test('medicationReference resolved to a Medication in the input, a contained one, or a bundle fullUrl', () => {
    const t = build(
      [
        patient,
        {
          resourceType: 'Bundle',
          type: 'searchset',
          entry: [
            { fullUrl: 'urn:uuid:11111111-2222-3333-4444-555555555555', resource: { resourceType: 'Medication', id: 'mx', code: { text: 'Talvey 40 mg/mL' } } },
            {
              resource: admin('a3', { medicationReference: { reference: 'urn:uuid:11111111-2222-3333-4444-555555555555' } }, { effectiveDateTime: '2026-01-03' }),
            },
          ],
        },
        { resourceType: 'Medication', id: 'm1', code: { text: 'Blincyto 38.5 mcg vial' } },
        admin('a1', { medicationReference: { reference: 'Medication/m1' } }, { effectiveDateTime: '2026-01-02' }),
        admin(
          'a2',
          { medicationReference: { reference: '#med' } },
          { effectiveDateTime: '2026-01-04' },
          { contained: [{ resourceType: 'Medication', id: 'med', code: { coding: [{ system: RXNORM, code: '1597876' }] } }] },
        ),
        admin('a4', { medicationReference: { reference: 'Medication/missing' } }, { effectiveDateTime: '2026-01-05' }),
      ],
      { patientId: 'p1' },
    );
    expect(t.exposures.map((e) => [e.agent, e.matchedBy, e.matched, e.sources])).toEqual([
      ['nivolumab', 'code', `${RXNORM}|1597876`, ['MedicationAdministration/a2']],
      ['blinatumomab', 'name', 'blincyto', ['MedicationAdministration/a1']],
      ['talquetamab', 'name', 'talvey', ['MedicationAdministration/a3']],
    ]);
    expect(t.issues).toEqual([expect.objectContaining({ code: 'medication-unresolved', source: 'MedicationAdministration/a4' })]);
  });
});

describe('immunosuppressive medications → findings', () => {
  test('systemic glucocorticoid counts, topical does not', () => {
    const t = run(
      {
        resourceType: 'MedicationRequest',
        id: 'r1',
        status: 'active',
        intent: 'order',
        subject,
        ...text('Prednisone 20 mg oral tablet'),
        dosageInstruction: [{ timing: { repeat: { boundsPeriod: { start: '2025-10-01', end: '2026-04-01' } } } }],
      },
      { resourceType: 'MedicationStatement', id: 's1', status: 'active', subject, ...text('Hydrocortisone 1% cream'), effectiveDateTime: '2026-01-01' },
      { resourceType: 'MedicationStatement', id: 's2', status: 'completed', subject, ...text('Azathioprine 50 mg'), effectiveDateTime: '2024-01-01' },
    );
    expect(t.findings).toEqual([
      {
        kind: 'immunosuppression',
        present: true,
        time: '2024-01-01',
        clinicalStatus: 'completed',
        detail: 'azathioprine',
        code: { system: 'urn:hlh-sentinel:medication-name', code: 'azathioprine', display: 'Azathioprine 50 mg' },
        source: 'MedicationStatement/s2',
      },
      {
        kind: 'immunosuppression',
        present: true,
        time: '2025-10-01',
        end: '2026-04-01',
        clinicalStatus: 'active',
        detail: 'glucocorticoid',
        code: { system: 'urn:hlh-sentinel:medication-name', code: 'prednisone', display: 'Prednisone 20 mg oral tablet' },
        source: 'MedicationRequest/r1',
      },
    ]);
    expect(t.exposures).toEqual([]);
  });
});

describe('exposure windows (§6, [design])', () => {
  const k = defaultKnowledge.exposures.windows;
  const base: Exposure = { class: 'car-t', agent: 'x', start: '2026-01-01', doseIncreases: [], matchedBy: 'name', matched: 'x', sources: [] };
  const day0 = toEpochMs('2026-01-01') as number;

  test('CAR T: day 0–100 from infusion', () => {
    expect(exposureWindows(base, k['car-t'])).toEqual([{ from: day0, to: day0 + 100 * DAY_MS, openedBy: 'start', at: '2026-01-01' }]);
  });
  test('checkpoint inhibitor: first dose to 26 weeks after last; ongoing extends to now', () => {
    const e = { ...base, class: 'checkpoint-inhibitor' as const, last: '2026-03-01' };
    const last = toEpochMs('2026-03-01') as number;
    expect(exposureWindows(e, k['checkpoint-inhibitor'])[0]?.to).toBe(last + 26 * 7 * DAY_MS);
    const now = toEpochMs('2026-06-01') as number;
    expect(exposureWindows({ ...e, ongoing: true }, k['checkpoint-inhibitor'], now)[0]?.to).toBe(now + 26 * 7 * DAY_MS);
  });
  test('lamotrigine: reopens for 8 weeks at each dose increase', () => {
    const e = { ...base, class: 'lamotrigine' as const, doseIncreases: ['2026-02-01'] };
    const inc = toEpochMs('2026-02-01') as number;
    expect(exposureWindows(e, k.lamotrigine)).toEqual([
      { from: day0, to: day0 + 56 * DAY_MS, openedBy: 'start', at: '2026-01-01' },
      { from: inc, to: inc + 56 * DAY_MS, openedBy: 'dose-increase', at: '2026-02-01' },
    ]);
  });
  test('no start → no window', () => {
    const { start: _s, ...undated } = base;
    expect(exposureWindows(undated, k['car-t'])).toEqual([]);
  });
});
