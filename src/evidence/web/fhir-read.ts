/**
 * Reads the patient's data with the service's own query list (the discovery prefetch templates), through a
 * fhirclient Client (which adds the user's access token). Each query follows `next` links on the FHIR server's
 * origin up to the service's page cap; a failed or truncated query becomes a data issue, never a silent gap.
 */
import type Client from 'fhirclient/lib/Client';
import { fillTemplate } from '../../fhir/queries';
import { fill } from '../../render/format';
import type { DataIssue } from '../../timeline/types';
import type { PageConfig } from '../view/types';

type Json = Record<string, unknown>;

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

function reasonOf(e: unknown): string {
  const status = (e as { status?: unknown; statusCode?: unknown })?.status ?? (e as { statusCode?: unknown })?.statusCode;
  return typeof status === 'number' ? `HTTP ${status}` : e instanceof Error ? e.message.slice(0, 120) : 'request failed';
}

async function readQuery(client: Client, key: string, url: string, maxPages: number, w: PageConfig['evidence']): Promise<{ resources: unknown[]; issue?: DataIssue }> {
  const origin = new URL(client.state.serverUrl).origin;
  const resources: unknown[] = [];
  let next: string | undefined = url;
  let pages = 0;
  try {
    while (next !== undefined && pages < maxPages) {
      const page: unknown = await client.request(next, { pageLimit: 1, flat: false });
      if (failed(page)) throw new Error('OperationOutcome');
      resources.push(page);
      pages += 1;
      next = nextLink(page);
      if (next !== undefined && new URL(next, client.state.serverUrl).origin !== origin) next = undefined;
    }
  } catch (e) {
    return { resources, issue: { severity: 'warning', code: 'query-failed', message: fill(w.dataIssues.queryFailed, { key, reason: reasonOf(e) }) } };
  }
  if (next !== undefined) return { resources, issue: { severity: 'warning', code: 'fetch-truncated', message: fill(w.dataIssues.queryTruncated, { key, pages }) } };
  return { resources };
}

export async function readPatientData(client: Client, config: PageConfig, patientId: string): Promise<{ resources: unknown[]; issues: DataIssue[] }> {
  const keys = Object.keys(config.queries).sort();
  const results = await Promise.all(
    keys.map((key) => readQuery(client, key, fillTemplate(config.queries[key]!, { patientId, userId: '' }), config.fhir.maxPages, config.evidence)),
  );
  return { resources: results.flatMap((r) => r.resources), issues: results.flatMap((r) => (r.issue ? [r.issue] : [])) };
}
