/**
 * Exposure timing end to end, in both EHR data paths (full prefetch; no prefetch against Medplum):
 * - a trigger explains only what follows it [design]: TMP-SMX first given after the HLH labs
 *   gives no card; CAR T day 12 with TMP-SMX from day 5 is an IEC-HS card about the CAR T naming TMP-SMX;
 * - combination therapy: every agent named (ipilimumab + nivolumab), "day N after first dose; last dose D days ago";
 * - repeated courses: a nivolumab re-challenge after a finished course is day 50 of the new course, not day 429;
 * - lamotrigine: "day N after dose increase (started …)", never day 0 of the drug;
 * - PD-1 inhibitors screened as a class effect (sintilimab by its brand Tyvyt).
 */
import { startBothPaths, type BothPaths, type PathResult } from '../support/both-paths';
import { coded, ehr, named } from '../support/ehr-resources';

let h: BothPaths;
beforeAll(async () => {
  h = await startBothPaths();
});
afterAll(async () => h?.close());

const NIVOLUMAB = '1597876'; // RxNorm ingredient [confirmed]

function agents(r: PathResult): unknown {
  return (r.extension?.exposure as { agents?: unknown } | undefined)?.agents;
}

describe('a trigger explains only what follows it', () => {
  it('TMP-SMX first given after the HLH labs gives no card; given before them, it does', async () => {
    const late = ehr('ep-tmp-late');
    const after = [late.patient(), ...late.hlhLabs('2026-03-13T08:00:00Z'), late.administration('tmp', named('Bactrim DS 800/160 mg'), '2026-03-13T09:00:00Z')];
    const lateRun = await h.both(after, { patientId: late.pid });
    for (const r of [lateRun.prefetch, lateRun.fetch]) {
      expect(r.status).toBe(200);
      expect(r.cards).toEqual([]);
    }

    const early = ehr('ep-tmp-early');
    const before = [early.patient(), ...early.hlhLabs('2026-03-13T08:00:00Z'), early.administration('tmp', named('Bactrim DS 800/160 mg'), '2026-03-05T09:00:00Z')];
    const earlyRun = await h.both(before, { patientId: early.pid });
    for (const r of [earlyRun.prefetch, earlyRun.fetch]) {
      expect(r.card?.indicator).toBe('critical');
      expect(r.card?.summary).toMatch(/^Possible treatment-related HLH \(HScore \d+\), day 10 after TMP-SMX: ferritin 12,000 ng\/mL/);
    }
  });

  it('CAR T day 12 with TMP-SMX prophylaxis from day 5: the IEC-HS card is about the CAR T and names TMP-SMX', async () => {
    const p = ehr('ep-cart-tmp');
    const resources = [
      p.patient(),
      p.carT('2026-03-03T14:00:00Z'),
      p.administration('tmp', named('Bactrim DS 800/160 mg'), '2026-03-08T09:00:00Z'),
      p.lab('2276-4', 450, 'ng/mL', '2026-03-01T08:00:00Z'), // baseline
      ...p.hlhLabs('2026-03-14T08:00:00Z'),
    ];
    const { prefetch, fetch } = await h.both(resources, { patientId: p.pid });
    for (const r of [prefetch, fetch]) {
      expect(r.card?.indicator).toBe('critical');
      expect(r.card?.summary).toMatch(/^Possible IEC-HS \(HScore \d+\), day 12 after axi-cel \(also TMP-SMX\): ferritin 12,000/);
      expect(r.card?.detail).toContain('day 12 after infusion (2026-03-03 14:00Z)');
      expect(r.card?.detail).toMatch(/Also in window: \*\*trimethoprim-sulfamethoxazole\*\*, day 7 after first dose \(2026-03-08 09:00Z\); counted from its own day 0: HLH-2004 \d\/8/);
      expect(r.extension).toMatchObject({ syndrome: 'iec-hs', exposure: { class: 'car-t', agent: 'axicabtagene ciloleucel', day0Basis: 'infusion', daysSince: 12 } });
      expect(agents(r)).toEqual([
        { agent: 'axicabtagene ciloleucel', class: 'car-t', role: 'primary', day0: '2026-03-03T14:00:00Z', daysSince: 12, matchedBy: 'name' },
        { agent: 'trimethoprim-sulfamethoxazole', class: 'tmp-smx', role: 'also-in-window', day0: '2026-03-08T09:00:00Z', daysSince: 7, lastDose: '2026-03-08T09:00:00Z', matchedBy: 'name' },
      ]);
    }
  });
});

describe('combination and repeated therapy', () => {
  const cycle = ['2026-01-05T10:00:00Z', '2026-01-26T10:00:00Z', '2026-02-16T10:00:00Z'];

  it('ipilimumab + nivolumab: both named in summary, detail and extension; day N after first dose; last dose D days ago', async () => {
    const p = ehr('ep-ipi-nivo');
    const resources = [
      p.patient(),
      ...cycle.map((t, i) => p.administration(`nivo-${i}`, coded(NIVOLUMAB), t)),
      ...cycle.map((t, i) => p.administration(`ipi-${i}`, named('Yervoy 1 mg/kg'), t)),
      ...p.hlhLabs('2026-03-14T08:00:00Z'),
    ];
    const { prefetch, fetch } = await h.both(resources, { patientId: p.pid });
    for (const r of [prefetch, fetch]) {
      expect(r.card?.summary).toMatch(/^Possible treatment-related HLH \(HScore \d+\), day 69 after ipilimumab \+ nivolumab: /);
      expect(r.card?.detail).toContain('Exposure: **ipilimumab + nivolumab** (immune checkpoint inhibitor), day 69 after first dose (2026-01-05 10:00Z); last dose 27 days ago (2026-02-16 10:00Z)');
      expect(r.card?.detail).toMatch(/matched by name “yervoy” \(ipilimumab\); RxNorm 1597876 \(nivolumab\)/);
      expect(agents(r)).toEqual([
        expect.objectContaining({ agent: 'ipilimumab', role: 'primary', daysSince: 69, lastDose: '2026-02-16T10:00:00Z' }),
        expect.objectContaining({ agent: 'nivolumab', role: 'combination', daysSince: 69, matchedBy: 'code' }),
      ]);
      expect(r.extension?.exposure).toMatchObject({ day0Basis: 'first-dose', lastDose: '2026-02-16T10:00:00Z', daysSinceLastDose: 27 });
    }
  });

  it('a nivolumab re-challenge after a finished course is a new course: day 50, not day 429', async () => {
    const p = ehr('ep-rechallenge');
    const first = ['2025-01-10T10:00:00Z', '2025-01-31T10:00:00Z', '2025-02-21T10:00:00Z'];
    const second = ['2026-01-24T10:00:00Z', '2026-02-14T10:00:00Z', '2026-03-07T10:00:00Z'];
    const resources = [p.patient(), ...[...first, ...second].map((t, i) => p.administration(`nivo-${i}`, coded(NIVOLUMAB), t)), ...p.hlhLabs('2026-03-14T08:00:00Z')];
    const { prefetch, fetch } = await h.both(resources, { patientId: p.pid });
    for (const r of [prefetch, fetch]) {
      expect(r.card?.summary).toMatch(/, day 50 after nivolumab: /);
      expect(r.card?.detail).toContain('day 50 after first dose (2026-01-24 10:00Z); last dose 8 days ago (2026-03-07 10:00Z)');
      expect(r.card?.detail).toContain('Course 2: the earlier course ended with a gap longer than the screening window (last documented dose 2025-02-21 10:00Z)');
      expect(r.extension?.exposure).toMatchObject({ start: '2026-01-24T10:00:00Z', day0: '2026-01-24T10:00:00Z', daysSince: 50, course: 2 });
    }
  });

  it('lamotrigine: day N after the dose increase, with the start date; the increase is never day 0 of the drug', async () => {
    const p = ehr('ep-lamotrigine');
    const daily = (mg: number, start: string) => [
      { timing: { repeat: { boundsPeriod: { start }, frequency: 1, period: 1, periodUnit: 'd' } }, doseAndRate: [{ doseQuantity: { value: mg, unit: 'mg', system: 'http://unitsofmeasure.org', code: 'mg' } }] },
    ];
    const resources = [
      p.patient(),
      p.statement('lam-home', named('Lamictal 50 mg tablet'), { effectivePeriod: { start: '2025-06-01' }, dosage: daily(50, '2025-06-01') }),
      p.request('lam-up', named('Lamotrigine 100 mg tablet'), { authoredOn: '2026-03-05', dosageInstruction: daily(100, '2026-03-05') }),
      ...p.hlhLabs('2026-03-14T08:00:00Z'),
    ];
    const { prefetch, fetch } = await h.both(resources, { patientId: p.pid });
    for (const r of [prefetch, fetch]) {
      expect(r.card?.summary).toMatch(/^Possible treatment-related HLH \(HScore \d+\), day 10 after lamotrigine dose increase: /);
      expect(r.card?.detail).toContain('day 10 after dose increase (2026-03-05; started 2025-06-01)');
      expect(r.card?.detail).not.toMatch(/day 0/);
      expect(r.extension?.exposure).toMatchObject({ start: '2025-06-01', day0: '2026-03-05', day0Basis: 'dose-increase', daysSince: 10 });
    }
  });

  it('a PD-1 inhibitor screened as a class effect is recognised by its brand and says so', async () => {
    const p = ehr('ep-sintilimab');
    const resources = [p.patient(), p.administration('sin', named('Tyvyt 200 mg IV'), '2026-02-20T10:00:00Z'), ...p.hlhLabs('2026-03-14T08:00:00Z')];
    const { prefetch, fetch } = await h.both(resources, { patientId: p.pid });
    for (const r of [prefetch, fetch]) {
      expect(r.card?.summary).toMatch(/day 23 after sintilimab: /);
      expect(r.card?.detail).toContain('sintilimab is screened as a class effect of PD-1 inhibitors [design]');
      expect(r.extension?.exposure).toMatchObject({ class: 'checkpoint-inhibitor', agent: 'sintilimab', matchedBy: 'name' });
    }
  });
});

describe('CAR T day 0 = the infusion (Lee 2019 ASTCT; Hines 2023 IEC-HS)', () => {
  // The AMA descriptors of the CAR T steps as procedure text (codes are site-configured, none shipped).
  const HARVEST = 'Chimeric antigen receptor T-cell (CAR-T) therapy; harvesting of blood-derived T lymphocytes for development of genetically modified autologous CAR-T cells, per day';
  const RECEIPT = 'Chimeric antigen receptor T-cell (CAR-T) therapy; receipt and preparation of CAR-T cells for administration';
  const GIVEN = 'Chimeric antigen receptor T-cell (CAR-T) therapy; CAR-T cell administration, autologous';

  it('harvesting and receipt/preparation are not the infusion: day 12 after the administration, not day 42', async () => {
    const p = ehr('ep-cart-steps');
    const resources = [
      p.patient(),
      p.carT('2026-02-01T09:00:00Z', HARVEST),
      p.carT('2026-03-03T08:00:00Z', RECEIPT),
      p.carT('2026-03-03T14:00:00Z', GIVEN),
      p.lab('2276-4', 300, 'ng/mL', '2026-03-02T08:00:00Z'),
      ...p.hlhLabs('2026-03-14T08:00:00Z'),
    ];
    const { prefetch, fetch } = await h.both(resources, { patientId: p.pid });
    for (const r of [prefetch, fetch]) {
      expect(r.card?.summary).toMatch(/^Possible IEC-HS \(HScore \d+\), day 12 after car-t cell therapy \(product not stated\): /);
      expect(r.extension?.exposure).toMatchObject({ class: 'car-t', day0: '2026-03-03T14:00:00Z', day0Basis: 'infusion', daysSince: 12 });
      expect(r.card?.detail).toContain('procedure-not-exposure');
    }
  });

  it('T-cell harvesting only, infusion not yet given: no card from the bridging-therapy labs', async () => {
    const p = ehr('ep-cart-harvest');
    const resources = [p.patient(), p.carT('2026-02-01T09:00:00Z', HARVEST), ...p.hlhLabs('2026-02-23T08:00:00Z')];
    const { prefetch, fetch } = await h.both(resources, { patientId: p.pid, asOf: '2026-02-24T12:00:00Z' });
    for (const r of [prefetch, fetch]) {
      expect(r.status).toBe(200);
      expect(r.cards).toEqual([]);
    }
  });
});

describe('stale and stopped orders (checkpoint inhibitors: to 26 weeks after the last dose, Noseda 2019)', () => {
  const ago = (d: number) => new Date(Date.parse('2026-03-15T12:00:00Z') - d * 86_400_000).toISOString();

  it('an order left "active" 300 days after the last pembrolizumab dose keeps no window open: no card', async () => {
    const p = ehr('ep-stale-order');
    const resources = [
      p.patient(),
      p.request('pem-order', named('Keytruda'), { authoredOn: ago(420) }),
      ...[400, 379, 358, 337, 316, 300].map((d) => p.administration(`pem-${d}`, named('pembrolizumab 200 mg IV'), ago(d))),
      ...p.hlhLabs(ago(1)),
    ];
    const { prefetch, fetch } = await h.both(resources, { patientId: p.pid });
    for (const r of [prefetch, fetch]) {
      expect(r.status).toBe(200);
      expect(r.cards).toEqual([]);
    }
  });

  it('a stopped order whose validityPeriod runs into the future is not "on therapy": no card', async () => {
    const p = ehr('ep-stopped-order');
    const resources = [
      p.patient(),
      { ...p.request('pem-stopped', named('Keytruda'), { authoredOn: ago(420), dispenseRequest: { validityPeriod: { start: ago(420), end: ago(-200) } } }), status: 'stopped' },
      ...[400, 379, 358].map((d) => p.administration(`pem-${d}`, named('pembrolizumab 200 mg IV'), ago(d))),
      ...p.hlhLabs(ago(1)),
    ];
    const { prefetch, fetch } = await h.both(resources, { patientId: p.pid });
    for (const r of [prefetch, fetch]) {
      expect(r.status).toBe(200);
      expect(r.cards).toEqual([]);
    }
  });
});

describe('CAR T: only an administration or infusion procedure is the infusion (day 0 = infusion, Hines 2023)', () => {
  it('an order with a planned date and no infusion documented: "planned infusion" and a warning, never "after infusion"', async () => {
    const p = ehr('ep-cart-planned');
    const resources = [
      p.patient(),
      p.request('cart-order', named('axicabtagene ciloleucel (Yescarta) suspension for IV infusion'), {
        authoredOn: '2026-02-05T10:00:00Z',
        dosageInstruction: [{ timing: { event: ['2026-03-01T09:00:00Z'] } }],
      }),
      p.lab('2276-4', 900, 'ng/mL', '2026-02-27T08:00:00Z'),
      ...p.hlhLabs('2026-03-14T08:00:00Z'),
    ];
    const { prefetch, fetch } = await h.both(resources, { patientId: p.pid });
    for (const r of [prefetch, fetch]) {
      expect(r.card?.summary).toMatch(/day 14 after planned axi-cel infusion: /);
      expect(r.card?.detail).toContain('day 14 after the planned infusion (2026-03-01 09:00Z); the infusion itself is not documented');
      expect(r.card?.detail).not.toMatch(/after infusion \(/);
      expect(r.card?.detail).toContain('infusion-not-documented');
    }
  });
});
