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
import { FhirFetchError, byteBudget, fetchQuery, type FhirFetchErrorKind, type FhirFetchOptions } from './client';
import { fillTemplate } from './queries';

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

export interface ResolveInput {
  templates: Record<string, string>;
  prefetch: Record<string, Record<string, unknown> | null> | undefined;
  context: { patientId: string; userId: string; encounterId?: string };
  fhirServer?: string;
  accessToken?: string;
}

export interface ResolveOptions {
  onOperationOutcome: 'note' | 'refetch';
  fetch: Omit<FhirFetchOptions, 'accessToken' | 'signal' | 'budget'>;
  deadlineMs: number;
  /** Bytes all FHIR responses of this hook call may add up to, across keys and pages (unset = no total cap). */
  maxHookBytes?: number;
  /** Vetoes a fhirServer (security: allowlist per issuer). Returns a reason to refuse, or undefined. */
  checkFhirServer?: (url: string) => string | undefined;
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
  const budget = opts.maxHookBytes === undefined ? undefined : byteBudget(opts.maxHookBytes);
  const results = await Promise.allSettled(
    toFetch.map((key) =>
      fetchQuery(input.fhirServer!, fillTemplate(input.templates[key]!, input.context), {
        ...opts.fetch,
        ...(input.accessToken ? { accessToken: input.accessToken } : {}),
        signal: deadline,
        ...(budget ? { budget } : {}),
      }),
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
