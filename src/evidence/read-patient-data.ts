/**
 * Reads the patient's data with the service's own query list (the discovery prefetch templates), through the
 * page's FHIR client (fhirclient in the browser, ./web/fhir-read.ts, which adds the user's access token). Each query follows `next` links on the FHIR server's
 * origin up to the service's page cap; a failed or truncated query becomes a data issue, never a silent gap.
 * Then, like the service, it reads the Medications that medicationReferences point to and the data lacks (the
 * same pure plan, src/fhir/medication-refs.ts, and the same data issue for what stays unresolved), so the page
 * identifies the same drugs as the card.
 */
import {
  DEFAULT_MAX_MEDICATION_READS,
  medicationReadPlan,
  unresolvedMedicationIssue,
  type MedicationReadCounts,
  type UnresolvedReason,
} from '../fhir/medication-refs';
import { fillTemplate } from '../fhir/queries';
import { dataIssue, term, type DataIssue, type TermRef } from '../vocabulary';
import type { PageConfig } from './view/types';

type Json = Record<string, unknown>;

/** What the page needs of a FHIR client: its base URL, and one request (a URL relative to it, or absolute). */
export interface FhirReader {
  serverUrl: string;
  request(url: string): Promise<unknown>;
}

function nextLink(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null || (v as Json).resourceType !== 'Bundle') return undefined;
  const links = (v as Json).link;
  const next = Array.isArray(links) ? links.find((l) => (l as Json)?.relation === 'next') : undefined;
  return typeof (next as Json | undefined)?.url === 'string' ? ((next as Json).url as string) : undefined;
}

function failed(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Json;
  if (o.resourceType === 'OperationOutcome') return true;
  return o.resourceType === 'Bundle' && Array.isArray(o.entry) && o.entry.length > 0 && o.entry.every((e) => (e as Json)?.resource && ((e as Json).resource as Json).resourceType === 'OperationOutcome');
}

/** The server's or the client's own words for a failed request (data, shown as given), else the term for none. */
function reasonOf(e: unknown): string | TermRef {
  const status = (e as { status?: unknown; statusCode?: unknown })?.status ?? (e as { statusCode?: unknown })?.statusCode;
  return typeof status === 'number' ? `HTTP ${status}` : e instanceof Error ? e.message.slice(0, 120) : term('no-details');
}

async function readQuery(client: FhirReader, key: string, url: string, maxPages: number): Promise<{ resources: unknown[]; issue?: DataIssue }> {
  const origin = new URL(client.serverUrl).origin;
  const resources: unknown[] = [];
  let next: string | undefined = url;
  let pages = 0;
  let cause: TermRef | undefined;
  try {
    while (next !== undefined) {
      if (pages >= maxPages) {
        cause = term('page-cap', { max: maxPages });
        break;
      }
      const page: unknown = await client.request(next);
      if (failed(page)) throw new Error('OperationOutcome');
      resources.push(page);
      pages += 1;
      next = nextLink(page);
      // Like the service (src/fhir/client.ts): a next link to another origin is not followed, and that is said.
      if (next !== undefined && new URL(next, client.serverUrl).origin !== origin) {
        cause = term('next-link-other-origin');
        break;
      }
    }
  } catch (e) {
    return { resources, issue: dataIssue('warning', 'query-failed', { key, reason: reasonOf(e) }) };
  }
  if (cause !== undefined) return { resources, issue: dataIssue('warning', 'fetch-truncated', { key, pages, cause }) };
  return { resources };
}

function readFailure(e: unknown): UnresolvedReason {
  const status = (e as { status?: unknown; statusCode?: unknown })?.status ?? (e as { statusCode?: unknown })?.statusCode;
  return status === 404 || status === 410 ? 'not-found' : 'failed';
}

/** The Medications the data's medicationReferences need, read from the launch's FHIR server (as the service does). */
async function readMedications(client: FhirReader, resources: unknown[], max: number): Promise<DataIssue | undefined> {
  const plan = medicationReadPlan(resources, client.serverUrl, max);
  const counts: MedicationReadCounts = { read: 0, unresolved: { ...plan.skipped } };
  const miss = (reason: UnresolvedReason) => (counts.unresolved[reason] = (counts.unresolved[reason] ?? 0) + 1);
  const results = await Promise.allSettled(plan.reads.map((query) => client.request(query)));
  results.forEach((r, i) => {
    if (r.status === 'rejected') return miss(readFailure(r.reason));
    const body = r.value as { resourceType?: unknown; id?: unknown } | undefined;
    if (body?.resourceType !== 'Medication' || `Medication/${String(body.id)}` !== plan.reads[i]) return miss('failed');
    resources.push(body);
    counts.read++;
  });
  return unresolvedMedicationIssue(counts, max);
}

export async function readPatientData(client: FhirReader, config: PageConfig, patientId: string): Promise<{ resources: unknown[]; issues: DataIssue[] }> {
  const keys = Object.keys(config.queries).sort();
  const results = await Promise.all(
    keys.map((key) => readQuery(client, key, fillTemplate(config.queries[key]!, { patientId, userId: '' }), config.fhir.maxPages)),
  );
  const resources = results.flatMap((r) => r.resources);
  const issues = results.flatMap((r) => (r.issue ? [r.issue] : []));
  const medications = await readMedications(client, resources, config.fhir.maxMedicationReads ?? DEFAULT_MAX_MEDICATION_READS);
  if (medications) issues.push(medications);
  return { resources, issues };
}
