/**
 * The evidence page shows the card's assessment, in both EHR data paths: the hook's card (prefetch without the
 * Medication, and fetch) and the page's own reads from the same FHIR server (the query list, then the
 * `Medication/{id}` reads the service makes) give the same indicator, summary and digest — for a drug named only
 * through a medicationReference, and when the card is about one of several triggers in window.
 */
import { loadEvidenceContent } from '../../src/evidence/content';
import { pageConfig } from '../../src/evidence/page';
import { evidenceView } from '../../src/evidence/view';
import { readPatientData, type FhirReader } from '../../src/evidence/read-patient-data';
import { prefetchTemplates } from '../../src/fhir/prefetch-templates';
import { defaultKnowledge } from '../../src/knowledge';
import { parseAppContext } from '../../src/render/app-context';
import { loadCardContent } from '../../src/render/content';
import { startBothPaths, type BothPaths, type PathResult } from '../support/both-paths';
import { ehr, named, RXNORM } from '../support/ehr-resources';

let h: BothPaths;
beforeAll(async () => {
  h = await startBothPaths();
});
afterAll(async () => h?.close());

const AS_OF = '2026-03-15T12:00:00Z';
/** Cards link to the evidence view only when the service knows where it is served. */
const linked = { evidence: { launchUrl: 'https://cds.example.org/evidence/launch' } };
const queries = prefetchTemplates(defaultKnowledge, { fhir: { observationCount: 1000 } });
const config = pageConfig({ knowledge: defaultKnowledge, cards: loadCardContent(), evidence: loadEvidenceContent(), queries, maxPages: 5, smart: { clientId: 'c', scope: 'launch' } });

/** The part of a fhirclient Client the page uses, over plain fetch to the test FHIR server. */
function client(base: string): FhirReader {
  return {
    serverUrl: base,
    request: async (url: string) => {
      const res = await fetch(new URL(url, `${base}/`), { headers: { accept: 'application/fhir+json' }, signal: AbortSignal.timeout(15_000) });
      if (!res.ok) throw Object.assign(new Error(`HTTP ${res.status}`), { status: res.status });
      return res.json();
    },
  };
}

/** What the page shows when launched from this card: it reads the patient's data itself from the FHIR server. */
async function pageFor(r: PathResult, patientId: string) {
  const link = r.card?.links?.find((l) => l.type === 'smart');
  const appContext = link ? parseAppContext(JSON.parse(link.appContext as string)) : undefined;
  const data = await readPatientData(client(h.fhir.baseUrl), config, patientId);
  // As the page does: assess as of the card's asOf.
  const source = { mode: 'ehr' as const, server: h.fhir.baseUrl, patientId, ...data, asOf: appContext?.asOf ?? AS_OF, asOfFrom: 'card' as const, ...(appContext ? { appContext } : {}) };
  return { view: evidenceView(config, source).view, appContext };
}

it('pembrolizumab named only through medicationReference: the page reads the Medication and shows the card', async () => {
  const p = ehr('ev-medref');
  const medication = { resourceType: 'Medication', id: `${p.pid}-pembro`, code: { coding: [{ system: RXNORM, code: '1547545' }] } };
  const resources = [
    p.patient(),
    medication,
    p.administration('pembro', { medicationReference: { reference: `Medication/${p.pid}-pembro` } }, '2026-02-20T10:00:00Z'),
    ...p.hlhLabs('2026-03-14T08:00:00Z'),
  ];
  await h.seed(resources);
  const opts = { patientId: p.pid, config: linked, notPrefetched: (x: Record<string, unknown>) => x.resourceType === 'Medication', prefetchBody: (base: string) => ({ fhirServer: base }) };
  for (const r of [await h.prefetch(resources, opts), await h.fetch(resources, opts)]) {
    expect(r.card?.indicator).toBe('critical');
    const { view, appContext } = await pageFor(r, p.pid);
    expect(view.indicator).toBe(r.card!.indicator);
    expect(view.summary).toBe(r.card!.summary);
    expect(view.digest).toBe(appContext!.digest);
    expect(view.dataIssues.map((i) => i.text).join('\n')).not.toContain('medication-reference-unresolved');
  }
});

it('nivolumab card with TMP-SMX first given after the labs: the page shows the nivolumab card, not "no card"', async () => {
  const p = ehr('ev-episode');
  const resources = [
    p.patient(),
    p.administration('nivo', named('Opdivo 240 mg'), '2026-01-10T10:00:00Z'),
    p.administration('tmp', named('trimethoprim-sulfamethoxazole 800/160 mg'), '2026-03-14T14:00:00Z'),
    ...p.hlhLabs('2026-03-14T08:00:00Z'),
  ];
  const { prefetch, fetch } = await h.both(resources, { patientId: p.pid, config: linked });
  for (const r of [prefetch, fetch]) {
    expect(r.card?.summary).toMatch(/day 64 after nivolumab/);
    const { view, appContext } = await pageFor(r, p.pid);
    expect(view.noCard).toBeUndefined();
    expect(view.summary).toBe(r.card!.summary);
    expect(view.provenance.notices).toEqual([{ kind: 'ok', text: expect.stringContaining(appContext!.digest) }]);
  }
});
