/**
 * Overload and attack, on loopback servers: a flood of forged tokens (registered iss and kid, bad signature)
 * never takes the evaluation slots genuine calls need; body bytes in flight are capped; a call that cannot be
 * answered within the hook deadline gets a 503 at the deadline; a call that waited past its deadline is
 * refused without being parsed; and while evaluation workers are busy with large bodies the main thread
 * (health, auth) stays free.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { generateHookRequest } from '../../bench/generate';
import { createApp, createRuntime, type AppDeps } from '../../src/app';
import { configSchema } from '../../src/config/schema';
import type { HookExecutor } from '../../src/http/hook-executor';
import { runHookTask } from '../../src/http/hook-task';
import { hookTaskRuntime } from '../../src/http/hook-runtime';
import { createLogger } from '../../src/log/logger';
import type { ServiceStats } from '../../src/ops/stats';
import { buildTestApp, hookRequest, memoryLog } from '../support/app';
import { mintToken, securityInput, SERVICE_PATH, testKey, type TestKey } from '../support/jwt';
import { secureApp } from '../security/harness';

async function listen(app: ReturnType<typeof createApp>): Promise<{ url: string; server: Server }> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }));
  });
}

async function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
}

const stats = (app: ReturnType<typeof createApp>) => (app.locals.stats as ServiceStats).snapshot();

/** An executor that holds each task until released, then answers 200 with no cards. */
function heldExecutor() {
  const waiting: Array<() => void> = [];
  const executor: HookExecutor = {
    threads: 0,
    run: () => new Promise((resolve) => waiting.push(() => resolve({ status: 200, contentType: 'application/json', body: '{"cards":[]}' }))),
    close: async () => undefined,
  };
  return { executor, waiting, releaseAll: () => waiting.splice(0).forEach((f) => f()) };
}

async function until(cond: () => boolean, ms = 2000): Promise<void> {
  for (const t0 = Date.now(); !cond() && Date.now() - t0 < ms; ) await new Promise((r) => setTimeout(r, 5));
}

let key: TestKey;
let forger: TestKey;
beforeAll(async () => {
  key = await testKey('ES384');
  forger = await testKey('ES384', key.kid); // same kid, other private key: a valid-looking token with a bad signature
});

describe('forged-token flood', () => {
  it('forged tokens (registered iss/kid, bad signature) get 401 and never take an evaluation slot; the genuine call is answered', async () => {
    const s = secureApp({ security: securityInput([key]), maxInFlight: 1 });
    const { url, server } = await listen(s.app);
    try {
      const body = JSON.stringify(hookRequest({ prefetch: Object.fromEntries(s.prefetchKeys.map((k) => [k, null])) }));
      const post = (token: string) =>
        fetch(`${url}${SERVICE_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
      const forged = await Promise.all(Array.from({ length: 40 }, () => mintToken(forger)));
      const genuine = await mintToken(key);
      const flood = forged.map((t) => post(t));
      const real = post(genuine);
      const statuses = await Promise.all(flood.map(async (r) => (await r).status));
      expect(new Set(statuses)).toEqual(new Set([401]));
      expect((await real).status).toBe(200);
      const { counters } = stats(s.app);
      expect(counters.overloadRefusedSlots).toBe(0);
      expect(counters.authFailures).toBe(40);
    } finally {
      await stop(server);
    }
  });
});

describe('admission', () => {
  it('caps the request body bytes in flight, not only the number of calls: 503 + Retry-After at once, counted, logged once per second', async () => {
    const held = heldExecutor();
    const { app, log } = buildTestApp({ configInput: { maxInFlight: 10, maxBodyBytesInFlight: 100_000 }, executor: held.executor });
    const { url, server } = await listen(app);
    try {
      const big = JSON.stringify(hookRequest({ pad: 'x'.repeat(60_000) }));
      const post = () => fetch(`${url}${SERVICE_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
      const first = post();
      await until(() => held.waiting.length === 1);
      const t0 = Date.now();
      const refused = await Promise.all([post(), post(), post()]);
      expect(Date.now() - t0).toBeLessThan(1000);
      expect(refused.map((r) => r.status)).toEqual([503, 503, 503]);
      expect(refused[0]!.headers.get('retry-after')).toBe('1');
      expect(stats(app).counters.overloadRefusedBytes).toBe(3);
      expect(stats(app).gauges.bodyBytesInFlight).toBe(Buffer.byteLength(big));
      expect(log.filter((l) => l.includes('overload: hook calls refused'))).toHaveLength(1);
      held.releaseAll();
      expect((await first).status).toBe(200);
      await until(() => stats(app).gauges.bodyBytesInFlight === 0);
      const again = post();
      await until(() => held.waiting.length === 1);
      held.releaseAll();
      expect((await again).status).toBe(200);
    } finally {
      held.releaseAll();
      await stop(server);
    }
  });

  it('a call not answered within hookDeadlineMs gets 503 + Retry-After at the deadline (the late result is discarded)', async () => {
    const held = heldExecutor();
    const { app } = buildTestApp({ configInput: { hookDeadlineMs: 300, evaluationReserveMs: 100 }, executor: held.executor });
    const { url, server } = await listen(app);
    try {
      const t0 = Date.now();
      const res = await fetch(`${url}${SERVICE_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      const ms = Date.now() - t0;
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(((await res.json()) as { issue: Array<{ code: string }> }).issue[0]!.code).toBe('timeout');
      expect(ms).toBeGreaterThanOrEqual(250);
      expect(ms).toBeLessThan(2000);
      expect(stats(app).counters.overloadRefusedDeadline).toBe(1);
      held.releaseAll();
    } finally {
      held.releaseAll();
      await stop(server);
    }
  });

  it('a task that starts after its deadline (it queued too long) is refused with 503 without parsing its body', async () => {
    const { deps } = buildTestApp();
    const runtime = hookTaskRuntime(deps.config, { service: deps.service, evaluator: deps.evaluator });
    const late = await runHookTask({ body: new TextEncoder().encode('not even JSON'), nowMs: Date.now(), deadlineAtMs: Date.now() - 1, fhirServers: [] }, runtime);
    expect(late).toMatchObject({ status: 503, expired: true, headers: { 'Retry-After': '1' } });
  });
});

describe('evaluation off the main thread', () => {
  /** Sends six 5 MB prefetches at once and samples the main thread's event-loop delay and /healthz meanwhile. */
  async function underLoad(workers: number) {
    const config = configSchema.parse({ logLevel: 'info', workers, hookDeadlineMs: 30_000, store: { kind: 'memory' }, security: { auth: { mode: 'disabled-dev' } } });
    const captured = memoryLog();
    const deps: AppDeps = createRuntime(config, createLogger('info', captured.stream));
    const { url, server } = await listen(createApp(deps));
    try {
      const body = JSON.stringify(generateHookRequest(10_000).body);
      const post = () => fetch(`${url}${SERVICE_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      // /readyz says 200 only once every worker has compiled its pipeline.
      let ready: { status: number; body: { evaluation?: unknown; status?: string } } | undefined;
      for (const t0 = Date.now(); Date.now() - t0 < 20_000; await new Promise((r) => setTimeout(r, 50))) {
        const r = await fetch(`${url}/readyz`);
        ready = { status: r.status, body: (await r.json()) as { evaluation?: unknown; status?: string } };
        if (ready.status === 200) break;
        if (workers > 0) expect(ready.body).toMatchObject({ status: 'starting', evaluation: { workers } });
      }
      expect(ready).toMatchObject({ status: 200, body: workers > 0 ? { evaluation: { workers, ready: workers } } : {} });
      expect((await post()).status).toBe(200); // warm
      const delay = monitorEventLoopDelay({ resolution: 5 });
      delay.enable();
      const calls = Array.from({ length: 6 }, () => post());
      const health: number[] = [];
      let busy = true;
      void Promise.all(calls).finally(() => (busy = false));
      while (busy) {
        const t0 = performance.now();
        expect((await fetch(`${url}/healthz`)).status).toBe(200);
        health.push(performance.now() - t0);
        await new Promise((r) => setTimeout(r, 10));
      }
      delay.disable();
      expect((await Promise.all(calls)).map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
      const threads = captured.lines.filter((l) => l.includes('"hook evaluated"')).map((l) => (JSON.parse(l) as { thread: number }).thread);
      health.sort((a, b) => a - b);
      return { delayMeanMs: delay.mean / 1e6, healthMedianMs: health[Math.floor(health.length / 2)]!, threads };
    } finally {
      await stop(server);
      await deps.close?.();
    }
  }

  it('with a worker busy on 5 MB prefetches, the main thread stays free and /healthz answers (compared with evaluating on the main thread, same load)', async () => {
    // Timings on a shared machine are noisy, so the pool is judged against the main-thread mode in the same run.
    const main = await underLoad(0);
    const pool = await underLoad(1);
    expect(new Set(main.threads)).toEqual(new Set([0]));
    expect(pool.threads.length).toBe(7);
    expect(pool.threads.every((t) => t > 0)).toBe(true);
    expect(pool.delayMeanMs).toBeLessThan(main.delayMeanMs / 2);
    expect(pool.healthMedianMs).toBeLessThan(main.healthMedianMs);
  }, 60_000);
});
