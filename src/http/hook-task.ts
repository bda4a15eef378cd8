/**
 * One hook call's work after authentication and admission, as a function of the raw body bytes: JSON parse,
 * the depth and `__proto__` walk, zod validation, prefetch resolution (and bounded FHIR fetches), evaluation,
 * silent-mode split and serialisation. It runs in an evaluation worker (./hook-worker.ts) or, with no workers,
 * on the main thread; either way the main thread only sends `body` with `status`, logs `log`, and hands
 * `cardLog` to the card log.
 *
 * Time: the whole call has one deadline (`deadlineAtMs`, set at admission). FHIR fetches must finish
 * `evaluationReserveMs` before it so the evaluation has time left; a call that starts after its deadline (it
 * queued too long) is answered 503 at once without parsing.
 */
import type { Card } from '../hooks/response';
import type { ServiceDefinition } from '../hooks/discovery';
import { operationOutcome, outcomeFromZod, type IssueCode } from '../hooks/operation-outcome';
import { patientViewRequestSchema } from '../hooks/request';
import { PrefetchUnavailableError, resolveData } from '../fhir/resolve';
import type { Evaluation, EvaluationContext } from '../pipeline/evaluate';
import { splitSilenced, type SilentConfig } from '../store/silent';
import { fhirServerRefusal } from '../security/ssrf';
import { threadId } from 'node:worker_threads';
import { sanitizeJson } from './json-sanitize';
import type { ResolveOptions, ResolvedData } from '../fhir/resolved-data';

export interface HookTask {
  /** The request body exactly as received (UTF-8 JSON). */
  body: Uint8Array;
  /** The request clock ("now" for the criteria), epoch ms. */
  nowMs: number;
  /** When the answer is due, epoch ms. */
  deadlineAtMs: number;
  /** FHIR base URLs the authenticated client may send us to (`'*'` in development); null: no client. */
  fhirServers: readonly string[] | '*' | null;
}

interface HookTaskLog {
  level: 'info' | 'warn' | 'error';
  msg: string;
  fields: Record<string, unknown>;
}

export interface HookTaskResult {
  status: number;
  contentType: 'application/json' | 'application/fhir+json';
  /** The response body, serialised. */
  body: string;
  headers?: Record<string, string>;
  /** Set once the request is valid (for the request's log bindings). */
  hookInstance?: string;
  log?: HookTaskLog;
  /** Cards to log after the response (shown and withheld by silent mode). */
  cardLog?: { hookInstance: string; patientId: string; cards: Card[]; silenced: Card[] };
  /** Which FHIR bound stopped the call, for the stats. */
  fhirRefusal?: 'bytes' | 'deadline';
  /** The call was not started because its deadline had passed. */
  expired?: boolean;
  /** Each FHIR query made for a missing prefetch key: how long it took, and why it failed (for the metrics). */
  fetches?: FhirFetchEvent[];
}

export type FhirFetchEvent = Parameters<NonNullable<ResolveOptions['onFetch']>>[0];

/**
 * The evaluation a hook call runs on the data it resolved: the pipeline's `createEvaluator` in the service, a spy
 * or a stub in tests.
 */
export type Evaluator = (data: ResolvedData, ctx: EvaluationContext) => Evaluation;

/** What a hook task needs besides the task itself; built once per worker (./hook-runtime.ts). */
export interface HookTaskRuntime {
  service: ServiceDefinition;
  evaluator: Evaluator;
  silent: SilentConfig;
  maxJsonDepth: number;
  resolve: Omit<ResolveOptions, 'checkFhirServer'>;
  evaluationReserveMs: number;
  allowHttpLoopback: boolean;
  /** Development only: hosts plain-http FHIR servers may run on (src/security/ssrf.ts). */
  allowHttpHosts: readonly string[];
}

function outcome(status: number, code: IssueCode, diagnostics: string, expression?: string): HookTaskResult {
  return {
    status,
    contentType: 'application/fhir+json',
    body: JSON.stringify(operationOutcome([{ code, diagnostics, ...(expression ? { expression } : {}) }])),
  };
}

const decoder = new TextDecoder('utf-8', { fatal: false });

/** Body bytes → validated patient-view request, or the 400 that says why not. */
function parseRequest(bytes: Uint8Array, rt: HookTaskRuntime) {
  let body: unknown;
  try {
    body = JSON.parse(decoder.decode(bytes));
  } catch {
    return { error: outcome(400, 'structure', 'request body is not valid JSON') };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { error: outcome(400, 'structure', 'request body must be a JSON object (Content-Type: application/json)') };
  }
  if (sanitizeJson(body, rt.maxJsonDepth)) {
    return { error: outcome(400, 'structure', `request body is nested deeper than ${rt.maxJsonDepth} levels`) };
  }
  const { service } = rt;
  const hook = (body as { hook?: unknown }).hook;
  if (typeof hook === 'string' && hook !== service.hook) {
    return { error: outcome(400, 'invalid', `hook "${hook.slice(0, 64)}" does not match service "${service.id}" (expects "${service.hook}")`, 'hook') };
  }
  const parsed = patientViewRequestSchema.safeParse(body);
  if (!parsed.success) return { error: { status: 400, contentType: 'application/fhir+json', body: JSON.stringify(outcomeFromZod(parsed.error)) } as HookTaskResult };
  return { request: parsed.data };
}

/** The FHIR veto for this task: the client's allowlist (or the caller's own check, on the main thread). */
function fhirCheck(task: HookTask, rt: HookTaskRuntime): (url: string) => string | undefined {
  const allowed = task.fhirServers;
  if (allowed === null) return () => 'no authenticated client for this request';
  return (url) => fhirServerRefusal(url, allowed, { allowHttpLoopback: rt.allowHttpLoopback, allowHttpHosts: rt.allowHttpHosts });
}

export async function runHookTask(
  task: HookTask,
  rt: HookTaskRuntime,
  checkFhirServer: (url: string) => string | undefined = fhirCheck(task, rt),
): Promise<HookTaskResult> {
  if (Date.now() >= task.deadlineAtMs) return { ...notInTime(), expired: true };
  const started = performance.now();
  const { request, error } = parseRequest(task.body, rt);
  if (error) return error;
  const parsedAt = performance.now();
  const fetchMs = Math.min(rt.resolve.deadlineMs, task.deadlineAtMs - Date.now() - rt.evaluationReserveMs);
  const fetches: FhirFetchEvent[] = [];
  let data;
  try {
    data = await resolveData(
      {
        templates: rt.service.prefetch ?? {},
        prefetch: request.prefetch,
        context: request.context,
        ...(request.fhirServer ? { fhirServer: request.fhirServer } : {}),
        ...(request.fhirAuthorization ? { accessToken: request.fhirAuthorization.access_token } : {}),
      },
      { ...rt.resolve, deadlineMs: Math.max(1, fetchMs), checkFhirServer, onFetch: (event) => void fetches.push(event) },
    );
  } catch (e) {
    if (!(e instanceof PrefetchUnavailableError)) throw e;
    return { ...prefetchUnavailable(request.hookInstance, e), ...(fetches.length ? { fetches } : {}) };
  }
  const resolvedAt = performance.now();
  const evaluation = rt.evaluator(data, { ...request.context, now: new Date(task.nowMs) });
  const { shown, silenced } = splitSilenced(evaluation.cards, rt.silent);
  const allSilenced = [...(evaluation.silenced ?? []), ...silenced];
  const evaluatedAt = performance.now();
  return {
    status: 200,
    contentType: 'application/json',
    body: JSON.stringify({ cards: shown }),
    hookInstance: request.hookInstance,
    log: {
      // Unresolved medication references are logged as counts only (no ids, no token).
      level: data.medications && Object.keys(data.medications.unresolved).length ? 'warn' : 'info',
      msg: 'hook evaluated',
      fields: {
        cards: shown.length,
        sources: data.sources,
        ...(data.medications ? { medications: data.medications } : {}),
        thread: threadId,
        ms: { parse: parsedAt - started, resolve: resolvedAt - parsedAt, evaluate: evaluatedAt - resolvedAt },
      },
    },
    cardLog: { hookInstance: request.hookInstance, patientId: request.context.patientId, cards: shown, silenced: allSilenced },
    ...(fetches.length ? { fetches } : {}),
  };
}

/** 503 for a call that cannot be answered within its deadline (it waited too long for a worker). */
export function notInTime(): HookTaskResult {
  return { ...outcome(503, 'timeout', 'the service could not evaluate this call within its deadline; retry after 1 s'), headers: { 'Retry-After': '1' } };
}

function prefetchUnavailable(hookInstance: string, e: PrefetchUnavailableError): HookTaskResult {
  const kinds = new Set(e.failures.map((f) => f.kind));
  const fhirRefusal = kinds.has('budget') ? 'bytes' : kinds.has('deadline') ? 'deadline' : undefined;
  return {
    status: 412,
    contentType: 'application/fhir+json',
    body: JSON.stringify(
      operationOutcome(e.failures.map((f) => ({ code: 'incomplete', diagnostics: `prefetch "${f.key}": ${f.reason}`, expression: `prefetch.${f.key}` }))),
    ),
    hookInstance,
    log: { level: 'warn', msg: 'prefetch unavailable → 412', fields: { failures: e.failures } },
    ...(fhirRefusal ? { fhirRefusal } : {}),
  };
}
