/**
 * The evidence view shows exactly the card's choice: with several triggers in window the renderer picks one
 * episode (src/render/episode-choice.ts: a trigger explains only what follows it), and the page's header, tables
 * and digest are that episode's, so the page and the card never disagree about the same data.
 */
import { loadEvidenceContent } from '../../src/evidence/content';
import { pageConfig } from '../../src/evidence/page';
import { evidenceView } from '../../src/evidence/view';
import { defaultKnowledge } from '../../src/knowledge';
import { parseAppContext } from '../../src/render/app-context';
import { renderCards } from '../../src/render/cards';
import { loadCardContent } from '../../src/render/content';
import { assess } from '../../src/criteria';
import { buildTimeline } from '../../src/timeline';

type J = Record<string, unknown>;
const AS_OF = '2026-03-15T12:00:00Z';
const cards = loadCardContent();
const config = pageConfig({ knowledge: defaultKnowledge, cards, evidence: loadEvidenceContent(), queries: {}, maxPages: 5, smart: { clientId: 'c', scope: 'launch' } });
const S = { reference: 'Patient/p1' };
let n = 0;
const lab = (code: string, value: number, unit: string, time: string): J => ({
  resourceType: 'Observation', id: `o${++n}`, status: 'final', subject: S, code: { coding: [{ system: 'http://loinc.org', code }] },
  effectiveDateTime: time, valueQuantity: { value, unit, system: 'http://unitsofmeasure.org', code: unit },
});
const hlhLabs = (t: string, withFerritin = true): J[] => [
  ...(withFerritin ? [lab('2276-4', 12000, 'ng/mL', t)] : []), lab('777-3', 40, '10*9/L', t), lab('718-7', 7.5, 'g/dL', t), lab('751-8', 0.6, '10*9/L', t),
  lab('6690-2', 1.5, '10*9/L', t), lab('3255-7', 90, 'mg/dL', t), lab('1920-8', 300, 'U/L', t), lab('8310-5', 39.5, 'Cel', t),
];
const given = (id: string, text: string, time: string): J => ({
  resourceType: 'MedicationAdministration', id, status: 'completed', subject: S, medicationCodeableConcept: { text }, effectiveDateTime: time,
});
const patient: J = { resourceType: 'Patient', id: 'p1', birthDate: '1961-04-02', gender: 'female' };

/** The card as the hook renders it, and the page's view with that card's app context. */
function cardAndView(resources: J[]) {
  const a = assess(buildTimeline(resources, defaultKnowledge, { patientId: 'p1' }), AS_OF, defaultKnowledge);
  const [card] = renderCards(a, { patientId: 'p1', evidenceLink: { url: 'https://svc/evidence/launch', label: 'Evidence' } }, cards, () => 'u');
  const link = card?.links?.find((l) => l.type === 'smart');
  const appContext = link ? parseAppContext(JSON.parse(link.appContext as string)) : undefined;
  const { view } = evidenceView(config, { mode: 'ehr', server: 'https://ehr.example.org/fhir', patientId: 'p1', resources, issues: [], asOf: AS_OF, asOfFrom: 'card', ...(appContext ? { appContext } : {}) });
  return { card, appContext, view };
}

it.each([
  [
    'nivolumab for two months, TMP-SMX prophylaxis first given after the labs: the card is about nivolumab',
    [patient, given('nivo', 'Opdivo 240 mg', '2026-01-10T10:00:00Z'), given('tmp', 'trimethoprim-sulfamethoxazole 800/160 mg', '2026-03-14T14:00:00Z'), ...hlhLabs('2026-03-14T08:00:00Z')],
    /day 64 after nivolumab/,
  ],
  [
    'lamotrigine started two weeks before the labs, CAR T infusion 8 weeks ago in window: the card is about lamotrigine',
    [
      patient,
      { resourceType: 'Procedure', id: 'cart', status: 'completed', subject: S, code: { text: 'axicabtagene ciloleucel infusion' }, performedDateTime: '2026-01-20T10:00:00Z' },
      given('lam', 'Lamictal 25 mg', '2026-03-01T08:00:00Z'),
      lab('2276-4', 600, 'ng/mL', '2026-01-18T08:00:00Z'), lab('2276-4', 650, 'ng/mL', '2026-03-13T08:00:00Z'), lab('2276-4', 700, 'ng/mL', '2026-03-14T08:00:00Z'),
      ...hlhLabs('2026-03-14T08:00:00Z', false),
    ],
    /lamotrigine/,
  ],
])('%s; the page shows the same indicator, summary and digest', (_name, resources, about) => {
  const { card, appContext, view } = cardAndView(resources);
  expect(card?.summary).toMatch(about);
  expect(view.noCard).toBeUndefined();
  expect(view.indicator).toBe(card!.indicator);
  expect(view.summary).toBe(card!.summary);
  expect(view.digest).toBe(appContext!.digest);
  expect(view.provenance.notices).toEqual([{ kind: 'ok', text: expect.stringContaining(appContext!.digest) }]);
});

it('no card: the page says so and judges the whole assessment', () => {
  const { card, view } = cardAndView([patient, given('tmp', 'Bactrim DS', '2026-03-14T14:00:00Z'), ...hlhLabs('2026-03-14T08:00:00Z')]);
  expect(card).toBeUndefined();
  expect(view.indicator).toBeUndefined();
  expect(view.noCard).toMatch(/^No card/);
});
