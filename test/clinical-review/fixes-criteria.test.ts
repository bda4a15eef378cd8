/**
 * Fixes of the clinical review's criteria-engine and card findings, end to end
 * (buildTimeline → assess → renderCards). Judged against ../shared/knowledge/clinical-criteria.md (CC).
 */
import { CODE, SNOMED, administration, condition, lab, patient, run } from './fhir';

type J = Record<string, unknown>;
const subject = { reference: 'Patient/p1' };

const request = (id: string, name: string, extra: J = {}): J => ({
  resourceType: 'MedicationRequest',
  id,
  status: 'active',
  intent: 'order',
  subject,
  medicationCodeableConcept: { text: name },
  ...extra,
});

/** Labs meeting HLH-2004 ≥ 5/8 (fever, cytopenias, fibrinogen, ferritin, splenomegaly) and HScore ≥ 169. */
function hlhLabs(t: string): J[] {
  return [
    lab(CODE.temperature, 38.6, 'Cel', t),
    lab(CODE.hemoglobin, 8.5, 'g/dL', t),
    lab(CODE.platelets, 80, '10*9/L', t),
    lab(CODE.fibrinogen, 140, 'mg/dL', t),
    lab(CODE.ferritin, 3000, 'ng/mL', t),
    lab(CODE.ast, 40, 'U/L', t),
    lab(CODE.tgMass, 200, 'mg/dL', t),
    condition(SNOMED, '16294009', { clinicalStatus: { coding: [{ code: 'active' }] }, onsetDateTime: t }),
  ];
}

describe('finding 1 (MEDIUM-HIGH): an ongoing exposure without any usable date still screens', () => {
  const T = '2026-03-20T08:00:00Z';
  const AS_OF = '2026-03-20T10:00:00Z';

  it('active pembrolizumab order without dates + HLH-2004 5/8 → in window (ongoing-no-date) and a critical card', () => {
    const r = run([patient(), request('mr-pembro', 'pembrolizumab'), ...hlhLabs(T)], AS_OF);
    expect(r.timeline.exposures[0]).toMatchObject({ class: 'checkpoint-inhibitor', ongoing: true });
    expect(r.timeline.exposures[0]!.start).toBeUndefined();
    expect(r.a.hlh2004.met).toBeGreaterThanOrEqual(5);
    expect(r.a.hscore.score).toBeGreaterThanOrEqual(169);
    expect(r.a.exposure.status).toBe('in-window');
    expect(r.a.exposure.primary).toMatchObject({ agent: 'pembrolizumab', inWindow: true, windowReason: 'ongoing-no-date' });
    expect(r.a.exposure.primary!.daysSince).toBeUndefined();
    expect(r.cards).toHaveLength(1);
    expect(r.cards[0]!.indicator).toBe('critical');
    expect(r.cards[0]!.summary).toMatch(/after pembrolizumab/);
    expect(r.cards[0]!.summary).not.toMatch(/day \d/);
    expect(r.cards[0]!.detail).toMatch(/start date unknown/);
    expect(r.cards[0]!.detail).toMatch(/exposure-without-date/);
  });

  it('undated and not ongoing stays out of window (no card of its own)', () => {
    const r = run([patient(), request('mr-pembro', 'pembrolizumab', { status: 'completed' }), ...hlhLabs(T)], AS_OF);
    expect(r.a.exposure.status).toBe('outside-window');
    expect(r.a.exposure.all[0]).toMatchObject({ inWindow: false, windowReason: 'no-start-date' });
    expect(r.cards).toHaveLength(0);
  });

  it('undated, not ongoing: the data issue shows on a card made by another exposure', () => {
    const r = run(
      [
        patient(),
        request('mr-pembro', 'pembrolizumab', { status: 'completed' }),
        request('mr-ibru', 'ibrutinib', { authoredOn: '2026-03-01' }),
        administration('ibrutinib 420 mg', '2026-03-01T08:00:00Z'),
        ...hlhLabs(T),
      ],
      AS_OF,
    );
    expect(r.a.exposure.primary).toMatchObject({ agent: 'ibrutinib', inWindow: true });
    expect(r.a.exposure.all.find((e) => e.agent === 'pembrolizumab')).toMatchObject({ inWindow: false, windowReason: 'no-start-date' });
    expect(r.cards).toHaveLength(1);
    expect(r.cards[0]!.detail).toMatch(/exposure-without-date/);
    expect(r.cards[0]!.detail).toMatch(/pembrolizumab \\\(checkpoint-inhibitor\\\) documented without any usable date/);
  });
});
