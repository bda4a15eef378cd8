/**
 * Runs one patient's FHIR resources through the production assembly (createRuntime → createApp) in both data
 * paths a real EHR uses, so a data-layer rule is proven end to end, not only in the timeline:
 *
 * - `prefetch`: the resources split into the discovery prefetch keys (as `evaluate --url` does);
 * - `fetch`: no prefetch at all; the resources are seeded (ids kept) into a real FHIR server (Medplum on
 *   loopback) and the service fetches every key itself from `fhirServer`.
 *
 * Authentication is disabled-dev (the JWT path has its own tests); the FHIR server is on the dev allowlist.
 * Use a distinct patient id per test: the FHIR server is shared by the harness.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import type { Bundle } from '@medplum/fhirtypes';
import { configSchema, type ConfigInput } from '../../src/config/schema';
import { createApp, createRuntime, type AppDeps } from '../../src/app';
import { createLogger } from '../../src/log/logger';
import type { Card } from '../../src/hooks/response';
import { EXTENSION_KEY } from '../../src/render/extension';
import { toPrefetch } from '../../src/cli/evaluate';
import { memoryLog } from './app';
import { toTransaction } from '../../src/dev/fhir-seed';
import { startMedplumServer, type FhirTestServer } from './medplum-server';

type Json = Record<string, unknown>;

export interface PathResult {
  status: number;
  body: Json;
  cards: Card[];
  /** The only card, if exactly one was returned. */
  card?: Card;
  /** The card's `extension["org.hlh-sentinel.assessment"]`. */
  extension?: Json;
  /** Log lines written while this call was handled (and before). */
  log: string[];
}

interface RunOptions {
  patientId: string;
  /** The evaluation clock (default 2026-03-15T12:00:00Z, the examples' date). */
  asOf?: string;
  encounterId?: string;
  /** A site knowledge override (written to a temporary KNOWLEDGE_FILE). */
  knowledge?: Json;
  /** Extra configuration (nested config keys, as in CONFIG_FILE). */
  config?: ConfigInput;
  /** Resources to leave out of the prefetch split (e.g. Medication resources a real EHR does not prefetch). */
  notPrefetched?: (r: Json) => boolean;
  /** Extra fields for the hook body in both paths (e.g. a `fhirServer` also in prefetch mode). */
  prefetchBody?: (fhirBaseUrl: string) => Json;
  /** Another FHIR server for the fetch path (e.g. a proxy that alters Medplum's answers); allowlisted too. */
  fhirServer?: string;
}

export interface BothPaths {
  fhir: FhirTestServer;
  /** Seeds the FHIR server with the resources (PUT, ids kept) without calling the service. */
  seed(resources: Json[]): Promise<void>;
  prefetch(resources: Json[], opts: RunOptions): Promise<PathResult>;
  fetch(resources: Json[], opts: RunOptions): Promise<PathResult>;
  /** Both paths (the fetch path seeds first); tests usually assert the same thing of both. */
  both(resources: Json[], opts: RunOptions): Promise<{ prefetch: PathResult; fetch: PathResult }>;
  close(): Promise<void>;
}

const DEFAULT_AS_OF = '2026-03-15T12:00:00Z';

export async function startBothPaths(): Promise<BothPaths> {
  const fhir = await startMedplumServer();
  const dir = mkdtempSync(path.join(tmpdir(), 'hlh-both-paths-'));
  const apps: AppDeps[] = [];
  let files = 0;

  function build(opts: RunOptions): { app: ReturnType<typeof createApp>; deps: AppDeps; log: string[] } {
    let knowledgeFile: string | undefined;
    if (opts.knowledge) {
      knowledgeFile = path.join(dir, `knowledge-${++files}.json`);
      writeFileSync(knowledgeFile, JSON.stringify(opts.knowledge));
    }
    const input = opts.config ?? {};
    const config = configSchema.parse({
      logLevel: 'info',
      // The first call waits for the evaluation workers to start; on a loaded test machine that can pass the
      // production 5 s deadline, which is not what these tests are about.
      hookDeadlineMs: 30_000,
      // These suites read the full card detail (every criteria table); the brief card has its own tests.
      cardDetail: 'full',
      ...input,
      // Generous FHIR timeouts: the suite shares two cores with other work; a slow loopback read must not turn into a 412.
      fhir: { timeoutMs: 15_000, deadlineMs: 30_000, ...((input as { fhir?: object }).fhir ?? {}) },
      ...(knowledgeFile ? { knowledgeFile } : {}),
      store: { kind: 'memory', ...((input as { store?: object }).store ?? {}) },
      security: {
        ...((input as { security?: object }).security ?? {}),
        fhir: { allowHttpLoopback: true, allowedFhirServersWhenAuthDisabled: [fhir.baseUrl, ...(opts.fhirServer ? [opts.fhirServer] : [])] },
        auth: { mode: 'disabled-dev' },
      },
    });
    const captured = memoryLog();
    const asOf = new Date(opts.asOf ?? DEFAULT_AS_OF);
    const deps = { ...createRuntime(config, createLogger(config.logLevel, captured.stream)), now: () => asOf };
    apps.push(deps);
    return { app: createApp(deps), deps, log: captured.lines };
  }

  async function post(app: ReturnType<typeof createApp>, body: Json, log: string[]): Promise<PathResult> {
    const res = await request(app).post('/cds-services/hlh-screen').send(body);
    const cards = (Array.isArray(res.body?.cards) ? res.body.cards : []) as Card[];
    const card = cards.length === 1 ? cards[0] : undefined;
    const extension = card?.extension?.[EXTENSION_KEY] as Json | undefined;
    return { status: res.status, body: res.body as Json, cards, ...(card ? { card } : {}), ...(extension ? { extension } : {}), log };
  }

  function hookBody(opts: RunOptions): Json {
    return {
      hook: 'patient-view',
      hookInstance: 'd1577c69-dfbe-44ad-ba6d-3e05e953b2ea',
      context: { userId: 'Practitioner/example', patientId: opts.patientId, ...(opts.encounterId ? { encounterId: opts.encounterId } : {}) },
    };
  }

  async function seed(resources: Json[]): Promise<void> {
    await fhir.seed(toTransaction({ resourceType: 'Bundle', entry: resources.map((resource) => ({ resource })) }) as unknown as Bundle);
  }

  async function prefetch(resources: Json[], opts: RunOptions): Promise<PathResult> {
    const { app, deps, log } = build(opts);
    const shown = opts.notPrefetched ? resources.filter((r) => !opts.notPrefetched!(r)) : resources;
    const body = { ...hookBody(opts), prefetch: toPrefetch(shown as never, deps.service.prefetch ?? {}), ...(opts.prefetchBody?.(fhir.baseUrl) ?? {}) };
    return post(app, body, log);
  }

  async function fetchPath(resources: Json[], opts: RunOptions): Promise<PathResult> {
    const { app, log } = build(opts);
    return post(app, { ...hookBody(opts), fhirServer: opts.fhirServer ?? fhir.baseUrl, ...(opts.prefetchBody?.(fhir.baseUrl) ?? {}) }, log);
  }

  return {
    fhir,
    seed,
    prefetch,
    fetch: fetchPath,
    async both(resources, opts) {
      const p = await prefetch(resources, opts);
      await seed(resources);
      const f = await fetchPath(resources, opts);
      return { prefetch: p, fetch: f };
    },
    async close() {
      for (const d of apps) await d.close?.();
      await fhir.close();
    },
  };
}
