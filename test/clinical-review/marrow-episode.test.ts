/**
 * A documented marrow examination replaces the "consider bone marrow biopsy" suggestion only when it is dated on or
 * after day 0 of the trigger the card is about [design; a trigger explains only what follows it]: a marrow done
 * before lamotrigine was started says nothing about HLH after it, even when a CAR T infusion in window precedes it.
 */
import { CODE, administration, carT, findingObs, lab, patient, run } from './fhir';

const T = '2026-03-14T08:00:00Z';
const episodeChart = (marrowTime: string) => [
  patient(),
  carT('2026-01-20T10:00:00Z'),
  administration('Lamictal 25 mg', '2026-03-01T08:00:00Z'),
  findingObs('hemophagocytosis', false, marrowTime),
  lab(CODE.ferritin, 600, 'ng/mL', '2026-01-18T08:00:00Z'), lab(CODE.ferritin, 650, 'ng/mL', '2026-03-13T08:00:00Z'), lab(CODE.ferritin, 700, 'ng/mL', T),
  lab(CODE.platelets, 40, '10*9/L', T), lab(CODE.hemoglobin, 7.5, 'g/dL', T), lab(CODE.anc, 0.6, '10*9/L', T),
  lab(CODE.fibrinogen, 90, 'mg/dL', T), lab(CODE.temperature, 39.5, 'Cel', T),
];

it('marrow before the lamotrigine start (after the CAR T infusion): the lamotrigine card still suggests the biopsy', () => {
  const r = run(episodeChart('2026-02-10T10:00:00Z'), '2026-03-15T12:00:00Z');
  expect(r.cards[0]!.summary).toMatch(/lamotrigine/);
  expect(r.a.episodes?.find((e) => e.exposure.agent === 'axicabtagene ciloleucel')?.marrowExamination).toMatchObject({ hemophagocytosis: false });
  expect(r.a.episodes?.find((e) => e.exposure.agent === 'lamotrigine')?.marrowExamination).toBeUndefined();
  expect(r.cards[0]!.detail).toMatch(/Consider bone marrow aspirate\/biopsy/);
  expect(r.cards[0]!.detail).not.toMatch(/marrow examination documented/i);
});

it('marrow after the lamotrigine start: documented on the lamotrigine card, no biopsy suggested', () => {
  const r = run(episodeChart('2026-03-10T10:00:00Z'), '2026-03-15T12:00:00Z');
  expect(r.cards[0]!.summary).toMatch(/lamotrigine/);
  expect(r.a.episodes?.find((e) => e.exposure.agent === 'lamotrigine')?.marrowExamination).toMatchObject({ hemophagocytosis: false, time: '2026-03-10T10:00:00Z' });
  expect(r.cards[0]!.detail).not.toMatch(/Consider bone marrow aspirate\/biopsy/);
});
