/**
 * Reads the Medications that medicationReferences point to and the data lacks (plan: ./medication-refs), from
 * `fhirServer` only: the same allowlist, bearer token, per-request timeout and overall hook deadline as the
 * prefetch fallback, in parallel, de-duplicated and bounded in count (`fhir.maxMedicationReads`). Done in fetch
 * mode and in prefetch mode alike (EHRs rarely prefetch Medication resources).
 *
 * A reference that stays unresolved (no fhirServer, a server not allowed, another server's URL, 404, timeout,
 * over the bound) is one `medication-reference-unresolved` data issue with counts by reason: it reaches any card
 * and the log (counts only: no ids, no token), and is never an error or a 412.
 */
import { FhirFetchError, fetchQuery, type ByteBudget } from './client';
import {
  DEFAULT_MAX_MEDICATION_READS,
  medicationReadPlan,
  unresolvedMedicationIssue,
  type MedicationReadCounts,
  type UnresolvedReason,
} from './medication-refs';
import type { ResolvedData, ResolveInput, ResolveOptions } from './resolved-data';

function reasonOf(err: unknown): UnresolvedReason {
  if (!(err instanceof FhirFetchError)) return 'failed';
  if (err.kind === 'http' && (err.status === 404 || err.status === 410)) return 'not-found';
  if (err.kind === 'timeout' || err.kind === 'deadline') return 'timeout';
  return 'failed';
}

export async function readMedications(
  input: ResolveInput,
  opts: ResolveOptions,
  out: ResolvedData,
  signal: () => AbortSignal,
  budget?: ByteBudget,
): Promise<void> {
  const max = opts.maxMedicationReads ?? DEFAULT_MAX_MEDICATION_READS;
  const refused = input.fhirServer !== undefined && opts.checkFhirServer?.(input.fhirServer) !== undefined;
  const server = refused ? undefined : input.fhirServer;
  const plan = medicationReadPlan(out.resources, server, max);
  const counts: MedicationReadCounts = { read: 0, unresolved: { ...plan.skipped } };
  if (refused && counts.unresolved['no-fhir-server']) {
    counts.unresolved['fhir-server-not-allowed'] = counts.unresolved['no-fhir-server'];
    delete counts.unresolved['no-fhir-server'];
  }
  const unresolved = (reason: UnresolvedReason) => (counts.unresolved[reason] = (counts.unresolved[reason] ?? 0) + 1);
  if (plan.reads.length && server !== undefined) {
    const results = await Promise.allSettled(
      plan.reads.map((query) =>
        fetchQuery(server, query, {
          ...opts.fetch,
          maxPages: 1,
          ...(input.accessToken ? { accessToken: input.accessToken } : {}),
          signal: signal(),
          ...(budget ? { budget } : {}),
        }),
      ),
    );
    results.forEach((r, i) => {
      if (r.status === 'rejected') return unresolved(reasonOf(r.reason));
      const body = r.value.resources[0] as { resourceType?: unknown; id?: unknown } | undefined;
      if (body?.resourceType !== 'Medication' || `Medication/${String(body.id)}` !== plan.reads[i]) return unresolved('failed');
      out.resources.push(body);
      counts.read++;
    });
  }
  if (counts.read || Object.keys(counts.unresolved).length) out.medications = counts;
  const issue = unresolvedMedicationIssue(counts, max);
  if (issue) out.issues.push(issue);
}
