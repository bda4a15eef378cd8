/**
 * Prefetch semantics (CDS Hooks 2.0 §Prefetch):
 * - key present with a resource/Bundle → use it;
 * - key present and `null` → the client ran the query and found nothing: no data, no refetch;
 * - key present with an OperationOutcome (or a Bundle carrying one) → the client's query failed:
 *   proceed without it and say so, or refetch, per configuration;
 * - key absent → fetch it from `fhirServer` with the bearer token (all missing keys in parallel);
 *   impossible or failed → PrefetchUnavailableError, which the route turns into 412.
 */
import type { DataIssue } from '../timeline/types';
import { FhirFetchError, fetchQuery, type FhirFetchErrorKind, type FhirFetchOptions } from './client';
import { fillTemplate } from './queries';

export class PrefetchUnavailableError extends Error {
  override name = 'PrefetchUnavailableError';
  constructor(
    message: string,
    /** Per missing key, why it could not be fetched (no token, no URL, no PHI). */
    readonly failures: Array<{ key: string; reason: string }>,
  ) {
    super(message);
  }
}

export interface ResolveInput {
  templates: Record<string, string>;
  prefetch: Record<string, Record<string, unknown> | null> | undefined;
  context: { patientId: string; userId: string; encounterId?: string };
  fhirServer?: string;
  accessToken?: string;
}

export interface ResolveOptions {
  onOperationOutcome: 'note' | 'refetch';
  fetch: Omit<FhirFetchOptions, 'accessToken' | 'signal'>;
  deadlineMs: number;
  /** Vetoes a fhirServer (security: allowlist per issuer). Returns a reason to refuse, or undefined. */
  checkFhirServer?: (url: string) => string | undefined;
  /** Told about every query made for a missing key (metrics): how long it took and, if it failed, why. */
  onFetch?: (event: { key: string; seconds: number; failure?: FhirFetchErrorKind | 'unexpected' }) => void;
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

export type KeySource = 'prefetch' | 'prefetch-null' | 'prefetch-failed' | 'fetched';

export interface ResolvedData {
  /** Resources and Bundles as received; the timeline builder flattens them. */
  resources: unknown[];
  issues: DataIssue[];
  sources: Record<string, KeySource>;
}

function isOperationOutcome(v: unknown): boolean {
  return typeof v === 'object' && v !== null && (v as { resourceType?: unknown }).resourceType === 'OperationOutcome';
}

/** A Bundle whose only content is an OperationOutcome (search.mode outcome) reports a failed query. */
function bundleIsFailure(v: Record<string, unknown>): boolean {
  if (v.resourceType !== 'Bundle' || !Array.isArray(v.entry) || v.entry.length === 0) return false;
  return v.entry.every((e) => isOperationOutcome((e as { resource?: unknown } | null)?.resource));
}

function diagnosticsOf(outcome: unknown): string {
  const issue = (outcome as { issue?: Array<{ diagnostics?: unknown; details?: { text?: unknown } }> }).issue?.[0];
  const text = issue?.diagnostics ?? issue?.details?.text;
  return typeof text === 'string' ? text.slice(0, 200) : 'no diagnostics';
}

export async function resolveData(input: ResolveInput, opts: ResolveOptions): Promise<ResolvedData> {
  const resources: unknown[] = [];
  const issues: DataIssue[] = [];
  const sources: Record<string, KeySource> = {};
  const toFetch: string[] = [];

  for (const key of Object.keys(input.templates).sort()) {
    const prefetch = input.prefetch ?? {};
    if (!Object.prototype.hasOwnProperty.call(prefetch, key)) {
      toFetch.push(key);
      continue;
    }
    const value = prefetch[key];
    if (value === null || value === undefined) {
      sources[key] = 'prefetch-null';
      continue;
    }
    if (isOperationOutcome(value) || bundleIsFailure(value)) {
      const outcome = isOperationOutcome(value) ? value : (value.entry as Array<{ resource: unknown }>)[0]!.resource;
      if (opts.onOperationOutcome === 'refetch') {
        toFetch.push(key);
        continue;
      }
      sources[key] = 'prefetch-failed';
      issues.push({
        severity: 'warning',
        code: 'prefetch-failed',
        message: `The EHR could not provide "${key}" (${diagnosticsOf(outcome)}); that data was not evaluated.`,
      });
      continue;
    }
    sources[key] = 'prefetch';
    resources.push(value);
  }

  if (toFetch.length === 0) return { resources, issues, sources };

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

  const deadline = AbortSignal.timeout(opts.deadlineMs);
  const results = await Promise.allSettled(
    toFetch.map((key) =>
      observed(
        key,
        () =>
          fetchQuery(input.fhirServer!, fillTemplate(input.templates[key]!, input.context), {
            ...opts.fetch,
            ...(input.accessToken ? { accessToken: input.accessToken } : {}),
            signal: deadline,
          }),
        opts.onFetch,
      ),
    ),
  );
  const failures: Array<{ key: string; reason: string }> = [];
  results.forEach((r, i) => {
    const key = toFetch[i]!;
    if (r.status === 'rejected') {
      const err = r.reason;
      failures.push({ key, reason: err instanceof FhirFetchError ? err.message : 'unexpected fetch failure' });
      return;
    }
    sources[key] = 'fetched';
    resources.push(...r.value.resources);
    if (r.value.truncated) {
      issues.push({
        severity: 'warning',
        code: 'fetch-truncated',
        message: `Only the first ${r.value.pages} page(s) of "${key}" were read (${r.value.truncated}); older data may be missing.`,
      });
    }
  });
  if (failures.length > 0) {
    throw new PrefetchUnavailableError('prefetch data missing and fetching it from fhirServer failed', failures);
  }
  return { resources, issues, sources };
}
