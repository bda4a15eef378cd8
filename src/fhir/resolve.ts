/**
 * Prefetch semantics (CDS Hooks 2.0 §Prefetch):
 * - key present with a resource/Bundle → use it;
 * - key present and `null` → the client ran the query and found nothing: no data, no refetch;
 * - key present with an OperationOutcome (or a Bundle carrying one) → the client's query failed:
 *   proceed without it and say so, or refetch, per configuration;
 * - key absent → fetch it from `fhirServer` with the bearer token (all missing keys in parallel);
 *   impossible or failed → PrefetchUnavailableError, which the route turns into 412.
 * Then, in both modes, Medications that medicationReferences point to and the data lacks are read from
 * `fhirServer` when one is given (./read-medications); failures there are data issues, never a 412.
 */
import { FhirFetchError, byteBudget, fetchQuery, type ByteBudget, type FhirFetchErrorKind } from './client';
import type { ResolvedData, ResolveInput, ResolveOptions } from './resolved-data';
import { fillTemplate } from './queries';
import { readMedications } from './read-medications';
import { dataIssue, term, type TermRef } from '../vocabulary';

export class PrefetchUnavailableError extends Error {
  override name = 'PrefetchUnavailableError';
  constructor(
    message: string,
    /** Per missing key, why it could not be fetched (no token, no URL, no PHI), and the fetch error kind if any. */
    readonly failures: Array<{ key: string; reason: string; kind?: FhirFetchErrorKind }>,
  ) {
    super(message);
  }
}

/** Runs one key's query, reporting its duration and failure kind to `onFetch`. */
async function observed<T>(key: string, query: () => Promise<T>, onFetch: ResolveOptions['onFetch']): Promise<T> {
  if (!onFetch) return query();
  const started = process.hrtime.bigint();
  const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
  try {
    const result = await query();
    onFetch({ key, seconds: seconds() });
    return result;
  } catch (e) {
    onFetch({ key, seconds: seconds(), failure: e instanceof FhirFetchError ? e.kind : 'unexpected' });
    throw e;
  }
}

function isOperationOutcome(v: unknown): boolean {
  return typeof v === 'object' && v !== null && (v as { resourceType?: unknown }).resourceType === 'OperationOutcome';
}

/** A Bundle whose only content is an OperationOutcome (search.mode outcome) reports a failed query. */
function bundleIsFailure(v: Record<string, unknown>): boolean {
  if (v.resourceType !== 'Bundle' || !Array.isArray(v.entry) || v.entry.length === 0) return false;
  return v.entry.every((e) => isOperationOutcome((e as { resource?: unknown } | null)?.resource));
}

function diagnosticsOf(outcome: unknown): string | TermRef {
  const issue = (outcome as { issue?: Array<{ diagnostics?: unknown; details?: { text?: unknown } }> }).issue?.[0];
  const text = issue?.diagnostics ?? issue?.details?.text;
  return typeof text === 'string' ? text.slice(0, 200) : term('no-details');
}

/** The per-key prefetch semantics: what arrived, what failed, and which keys must be fetched. */
function takePrefetch(input: ResolveInput, opts: ResolveOptions): ResolvedData & { toFetch: string[] } {
  const out: ResolvedData & { toFetch: string[] } = { resources: [], issues: [], sources: {}, toFetch: [] };
  const prefetch = input.prefetch ?? {};
  for (const key of Object.keys(input.templates).sort()) {
    if (!Object.prototype.hasOwnProperty.call(prefetch, key)) {
      out.toFetch.push(key);
      continue;
    }
    const value = prefetch[key];
    if (value === null || value === undefined) {
      out.sources[key] = 'prefetch-null';
      continue;
    }
    if (isOperationOutcome(value) || bundleIsFailure(value)) {
      const outcome = isOperationOutcome(value) ? value : (value.entry as Array<{ resource: unknown }>)[0]!.resource;
      if (opts.onOperationOutcome === 'refetch') {
        out.toFetch.push(key);
        continue;
      }
      out.sources[key] = 'prefetch-failed';
      out.issues.push(dataIssue('warning', 'prefetch-failed', { key, reason: diagnosticsOf(outcome) }));
      continue;
    }
    out.sources[key] = 'prefetch';
    out.resources.push(value);
  }
  return out;
}

/** Fetches the missing keys in parallel under the deadline; any failure → PrefetchUnavailableError (412). */
async function fetchMissing(
  input: ResolveInput,
  opts: ResolveOptions,
  toFetch: string[],
  out: ResolvedData,
  signal: AbortSignal,
  budget: ByteBudget | undefined,
): Promise<void> {
  if (!input.fhirServer) {
    throw new PrefetchUnavailableError(
      'prefetch data missing and no fhirServer to fetch it from',
      toFetch.map((key) => ({ key, reason: 'not prefetched and no fhirServer in the request' })),
    );
  }
  const refusal = opts.checkFhirServer?.(input.fhirServer);
  if (refusal) {
    throw new PrefetchUnavailableError(`fhirServer not allowed: ${refusal}`, toFetch.map((key) => ({ key, reason: refusal })));
  }
  const results = await Promise.allSettled(
    toFetch.map((key) =>
      observed(
        key,
        () =>
          fetchQuery(input.fhirServer!, fillTemplate(input.templates[key]!, input.context), {
            ...opts.fetch,
            ...(input.accessToken ? { accessToken: input.accessToken } : {}),
            signal,
            ...(budget ? { budget } : {}),
          }),
        opts.onFetch,
      ),
    ),
  );
  const failures: Array<{ key: string; reason: string; kind?: FhirFetchErrorKind }> = [];
  results.forEach((r, i) => {
    const key = toFetch[i]!;
    if (r.status === 'rejected') {
      const err = r.reason;
      failures.push(err instanceof FhirFetchError ? { key, reason: err.message, kind: err.kind } : { key, reason: 'unexpected fetch failure' });
      return;
    }
    out.sources[key] = 'fetched';
    out.resources.push(...r.value.resources);
    if (r.value.truncated) {
      out.issues.push(dataIssue('warning', 'fetch-truncated', { key, pages: r.value.pages, cause: r.value.truncated }));
    }
  });
  if (failures.length > 0) {
    throw new PrefetchUnavailableError('prefetch data missing and fetching it from fhirServer failed', failures);
  }
}

export async function resolveData(input: ResolveInput, opts: ResolveOptions): Promise<ResolvedData> {
  const { toFetch, ...out } = takePrefetch(input, opts);
  // One deadline for every FHIR read of the hook call, started by the first one.
  let deadline: AbortSignal | undefined;
  const signal = (): AbortSignal => (deadline ??= AbortSignal.timeout(opts.deadlineMs));
  // One byte budget too, shared by the keys, their pages and the Medication reads.
  const budget = opts.maxHookBytes === undefined ? undefined : byteBudget(opts.maxHookBytes);
  if (toFetch.length > 0) await fetchMissing(input, opts, toFetch, out, signal(), budget);
  await readMedications(input, opts, out, signal, budget);
  return out;
}
