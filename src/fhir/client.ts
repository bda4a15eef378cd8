/**
 * Bounded FHIR reads for the prefetch fallback. Every call has a timeout, a body-size cap, a page cap and
 * may share a byte budget with the other queries of the same hook; `next` links are followed only below the
 * `fhirServer` base URL (same origin and path prefix, so the token never reaches another path on that host)
 * and never twice. Failures are typed, never thrown as raw fetch errors, and never include the access token.
 */
import { withinBase } from '../security/ssrf';
import { resolveQueryUrl } from './query-url';
import { term, type TermRef } from '../vocabulary';

export { resolveQueryUrl };

export type FhirFetchErrorKind =
  | 'timeout'
  | 'network'
  | 'http'
  | 'invalid-json'
  | 'not-fhir'
  | 'too-large'
  | 'budget'
  | 'deadline';

export class FhirFetchError extends Error {
  override name = 'FhirFetchError';
  constructor(
    readonly kind: FhirFetchErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface FhirFetchOptions {
  /** Bearer token from fhirAuthorization; sent only to `baseUrl`'s origin. */
  accessToken?: string;
  timeoutMs: number;
  maxPages: number;
  maxResponseBytes: number;
  /** Aborts everything when the request's overall deadline passes. */
  signal?: AbortSignal;
  /** Bytes left for every response of one hook call, shared by all its queries and pages (decremented here). */
  budget?: ByteBudget;
}

export interface ByteBudget {
  remaining: number;
  readonly total: number;
}

export function byteBudget(total: number): ByteBudget {
  return { remaining: total, total };
}

export interface FhirQueryResult {
  /** The resource (read) or every page's Bundle (search), as received. */
  resources: unknown[];
  pages: number;
  /** Why paging stopped early, if it did (page cap, loop, foreign next link): card wording `dataIssueTerms`. */
  truncated?: TermRef;
}

function budgetError(budget: ByteBudget): FhirFetchError {
  return new FhirFetchError('budget', `the hook's FHIR byte budget (${budget.total} bytes across all queries) is used up`);
}

async function readCapped(res: Response, maxBytes: number, budget: ByteBudget | undefined): Promise<string> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new FhirFetchError('too-large', `response larger than ${maxBytes} bytes`);
  }
  if (budget && Number.isFinite(declared) && declared > budget.remaining) {
    await res.body?.cancel().catch(() => undefined);
    throw budgetError(budget);
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new FhirFetchError('too-large', `response larger than ${maxBytes} bytes`);
    }
    if (budget) {
      // Charged as bytes arrive, so parallel queries of one hook cannot together read more than the budget.
      budget.remaining -= value.byteLength;
      if (budget.remaining < 0) {
        await reader.cancel().catch(() => undefined);
        throw budgetError(budget);
      }
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function getJson(url: URL, opts: FhirFetchOptions): Promise<Record<string, unknown>> {
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
  const headers: Record<string, string> = { accept: 'application/fhir+json, application/json;q=0.9' };
  if (opts.accessToken) headers.authorization = `Bearer ${opts.accessToken}`;
  let res: Response;
  let text: string;
  try {
    // Redirects are not followed: a redirect could carry the bearer token to another origin.
    res = await fetch(url, { headers, signal, redirect: 'manual' });
    if (res.status >= 300 && res.status < 400) {
      await res.body?.cancel().catch(() => undefined);
      throw new FhirFetchError('http', `FHIR server answered a redirect (${res.status}); redirects are not followed`, res.status);
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      throw new FhirFetchError('http', `FHIR server answered HTTP ${res.status}`, res.status);
    }
    text = await readCapped(res, opts.maxResponseBytes, opts.budget);
  } catch (e) {
    if (e instanceof FhirFetchError) throw e;
    if (opts.signal?.aborted) throw new FhirFetchError('deadline', 'overall FHIR deadline exceeded');
    if (timeout.aborted) throw new FhirFetchError('timeout', `no complete answer within ${opts.timeoutMs} ms`);
    throw new FhirFetchError('network', 'FHIR server could not be reached');
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new FhirFetchError('invalid-json', 'FHIR server answered with invalid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body) || typeof (body as { resourceType?: unknown }).resourceType !== 'string') {
    throw new FhirFetchError('not-fhir', 'FHIR server answered with something that is not a FHIR resource');
  }
  return body as Record<string, unknown>;
}

function nextLink(bundle: Record<string, unknown>): string | undefined {
  const links = bundle.link;
  if (!Array.isArray(links)) return undefined;
  for (const l of links) {
    if (l && typeof l === 'object' && (l as { relation?: unknown }).relation === 'next') {
      const url = (l as { url?: unknown }).url;
      if (typeof url === 'string' && url) return url;
    }
  }
  return undefined;
}

/**
 * Runs one relative query (`Patient/1`, `Observation?patient=...`) against `baseUrl`. A search Bundle's
 * `next` pages are followed up to `maxPages`, below the base URL only (same origin and path prefix), each
 * URL at most once.
 */
export async function fetchQuery(baseUrl: string, query: string, opts: FhirFetchOptions): Promise<FhirQueryResult> {
  const first = resolveQueryUrl(baseUrl, query);
  const base = new URL(baseUrl);
  const seen = new Set<string>();
  const resources: unknown[] = [];
  let url: URL | undefined = first;
  let pages = 0;
  let truncated: TermRef | undefined;
  while (url) {
    seen.add(url.href);
    const body = await getJson(url, opts);
    pages += 1;
    resources.push(body);
    if (body.resourceType !== 'Bundle') break;
    const next = nextLink(body);
    if (!next) break;
    let nextUrl: URL;
    try {
      nextUrl = new URL(next, url);
    } catch {
      truncated = term('next-link-invalid');
      break;
    }
    if (nextUrl.origin !== base.origin) {
      truncated = term('next-link-other-origin');
      break;
    }
    if (!withinBase(nextUrl, base)) {
      truncated = term('next-link-outside-base');
      break;
    }
    if (seen.has(nextUrl.href)) {
      truncated = term('next-link-loop');
      break;
    }
    if (pages >= opts.maxPages) {
      truncated = term('page-cap', { max: opts.maxPages });
      break;
    }
    url = nextUrl;
  }
  return truncated ? { resources, pages, truncated } : { resources, pages };
}
