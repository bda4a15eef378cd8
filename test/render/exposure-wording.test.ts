/**
 * How the card words its trigger and chooses it (wording in cards/wording.json `exposure`, `alternatives`):
 * last dose today / 1 day ago / on therapy; the strongest episode's card (a drug card when the CAR T episode gives
 * none); other triggers named only when they fit the 140-character summary; values before day 0 said to be
 * left out; documented infections; no unfilled placeholder anywhere.
 */
import { administration, carT, CODE, condition, lab, patient, run } from '../clinical-review/fhir';
import type { Card } from '../../src/hooks/response';
import { ehr } from '../support/ehr-resources';

const AS_OF = '2026-03-15T12:00:00Z';
const T = '2026-03-14T08:00:00Z';
const p1 = ehr('p1'); // the runner's patient
const hlh = (time = T) => p1.hlhLabs(time);
const cardOf = (...resources: Record<string, unknown>[]): Card => {
  const r = run([patient(), ...resources], AS_OF);
  expect(r.cards).toHaveLength(1);
  const card = r.cards[0] as Card;
  expect(JSON.stringify(card)).not.toMatch(/\{[a-zA-Z0-9]+\}/); // every placeholder filled
  return card;
};
const plain = (s: string | undefined) => (s ?? '').replace(/\\/g, '');

describe('day wording', () => {
  it.each([
    ['2026-03-15T08:00:00Z', 'last dose today (2026-03-15 08:00Z)'],
    ['2026-03-14T09:00:00Z', 'last dose 1 day ago (2026-03-14 09:00Z)'],
    ['2026-03-10T09:00:00Z', 'last dose 5 days ago (2026-03-10 09:00Z)'],
  ])('repeated dosing, last dose %s → "%s"', (last, text) => {
    const card = cardOf(administration('Keytruda', '2026-02-20T10:00:00Z'), administration('Keytruda', last), ...hlh());
    expect(plain(card.detail)).toContain(`day 23 after first dose (2026-02-20 10:00Z); ${text}`);
  });

  it('a single dose: "day N after first dose", no last dose', () => {
    const card = cardOf(administration('Keytruda', '2026-02-20T10:00:00Z'), ...hlh());
    expect(plain(card.detail)).toContain('day 23 after first dose (2026-02-20 10:00Z) (matched by');
  });

  it('an active order without later doses: on therapy', () => {
    const order = { resourceType: 'MedicationRequest', id: 'rq', status: 'active', intent: 'order', subject: { reference: 'Patient/p1' }, medicationCodeableConcept: { text: 'Imbruvica 420 mg' }, dosageInstruction: [{ timing: { repeat: { boundsPeriod: { start: '2025-10-01' } } } }] };
    const card = cardOf(order, ...hlh());
    expect(plain(card.detail)).toContain('day 165 after first dose (2025-10-01); on therapy');
  });
});

describe('which trigger the card is about', () => {
  it('a drug card when the CAR T episode gives none (ferritin not above twice its ULN or baseline), naming the CAR T', () => {
    const labs = hlh().filter((x) => (x.code as { coding: { code: string }[] }).coding[0]!.code !== CODE.ferritin);
    const card = cardOf(
      carT('2026-01-20T10:00:00Z'),
      lab(CODE.ferritin, 600, 'ng/mL', '2026-01-18T08:00:00Z'), // CAR T baseline
      lab(CODE.ferritin, 650, 'ng/mL', '2026-03-13T08:00:00Z'),
      lab(CODE.ferritin, 700, 'ng/mL', T),
      administration('Lamictal 25 mg', '2026-03-01T08:00:00Z'),
      ...labs,
    );
    expect(card.indicator).toBe('warning');
    expect(card.summary).toMatch(/^HLH features, day 14 after lamotrigine \(also axi-cel\): ferritin 700 ng\/mL/);
    expect(plain(card.detail)).toContain('Also in window: **axicabtagene ciloleucel** (CAR T-cell therapy), day 54 after infusion');
  });

  it('values before day 0 are said to be left out of the trigger they precede', () => {
    const card = cardOf(administration('Bactrim DS', '2026-03-10T08:00:00Z'), ...hlh('2026-03-09T08:00:00Z'), ...hlh(T));
    expect(plain(card.detail)).toContain('7 value(s) dated before day 0 of trimethoprim-sulfamethoxazole (counted from 2026-03-10 08:00Z) were not counted towards it');
  });

  it('other triggers in window are named in the summary only when they fit', () => {
    const long = 'chimeric antigen receptor T cell product of a very long investigational name';
    const card = cardOf(carT('2026-03-03T14:00:00Z'), administration('Bactrim DS', '2026-03-08T09:00:00Z'), administration(`Tecvayli (${long})`, '2026-03-04T09:00:00Z'), ...hlh());
    expect(card.summary.length).toBeLessThan(140);
    expect(card.summary).toContain('ferritin 12,000');
    expect(plain(card.detail)).toContain('Also in window:');
  });
});

describe('documented infections', () => {
  it('listed with the note; no section without any', () => {
    const sepsis = condition('http://hl7.org/fhir/sid/icd-10-cm', 'A41.9', { clinicalStatus: { coding: [{ code: 'active' }] }, onsetDateTime: '2026-03-13' });
    const withInfection = cardOf(administration('Keytruda', '2026-02-20T10:00:00Z'), sepsis, ...hlh());
    expect(plain(withInfection.detail)).toContain('#### Alternative explanations documented');
    expect(plain(withInfection.detail)).toMatch(/- Documented infection: infection \(ICD-10-CM A41\.9\), 2026-03-13$/m);
    const none = cardOf(administration('Keytruda', '2026-02-20T10:00:00Z'), ...hlh());
    expect(none.detail).not.toContain('Alternative explanations');
    expect(withInfection.indicator).toBe(none.indicator);
  });
});
