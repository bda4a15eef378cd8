/**
 * Admission control: at most `maxInFlight` hook evaluations (and `maxBodyBytesInFlight` body bytes) at once;
 * one more gets 503 with Retry-After and an OperationOutcome at once (after authentication, before its body
 * is read), and the slot is released when the response finishes or the client goes away.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { HookExecutor } from '../../src/http/hook-executor';
import { buildTestApp, hookRequest } from '../support/app';
import { configSchema } from '../../src/config/schema';

/** An executor that holds every hook task until released (keeps it in flight), then answers 200 with no cards. */
function gate() {
  const waiting: Array<() => void> = [];
  const seen = { count: 0 };
  const executor: HookExecutor = {
    threads: 0,
    run: () => {
      seen.count++;
      return new Promise((resolve) => waiting.push(() => resolve({ status: 200, contentType: 'application/json', body: '{"cards":[]}' })));
    },
    close: async () => undefined,
  };
  const releaseAll = () => waiting.splice(0).forEach((f) => f());
  return { executor, releaseAll, seen, waiting };
}

async function listen(app: ReturnType<typeof buildTestApp>['app']): Promise<{ url: string; server: Server }> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }));
  });
}

/** Every prefetch key answered `null` ("the client ran the query and found nothing"): a 200 with no cards. */
const PREFETCH = Object.fromEntries(Object.keys(buildTestApp().deps.service.prefetch ?? {}).map((k) => [k, null]));
const post = (url: string) =>
  fetch(`${url}/cds-services/hlh-screen`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(hookRequest({ prefetch: PREFETCH })) });

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
}

describe('admission control (maxInFlight)', () => {
  it('defaults to 64 and reads MAX_IN_FLIGHT / maxInFlight (0 = unlimited)', () => {
    expect(configSchema.parse({}).maxInFlight).toBe(64);
    expect(configSchema.parse({ maxInFlight: '0' }).maxInFlight).toBe(0);
    expect(() => configSchema.parse({ maxInFlight: -1 })).toThrow();
  });

  it('over the cap → 503 + Retry-After + OperationOutcome at once, before its body is read; the slot is freed after the answer', async () => {
    const g = gate();
    const { app } = buildTestApp({ configInput: { maxInFlight: 2 }, executor: g.executor });
    const { url, server } = await listen(app);
    try {
      const first = [post(url), post(url)];
      await until(() => g.waiting.length === 2);
      const refused = await post(url);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
      const outcome = (await refused.json()) as { resourceType: string; issue: Array<{ code: string; diagnostics: string }> };
      expect(outcome.resourceType).toBe('OperationOutcome');
      expect(outcome.issue[0]!.code).toBe('throttled');
      expect(g.seen.count).toBe(2); // the refused call never reached evaluation
      expect((app.locals.admission as { refused(): number }).refused()).toBe(1);

      // Discovery is never counted or refused.
      expect((await fetch(`${url}/cds-services`)).status).toBe(200);

      g.releaseAll();
      const answered = await Promise.all(first);
      expect(answered.map((r) => r.status)).toEqual([200, 200]);
      await until(() => (app.locals.admission as { inFlight(): number }).inFlight() === 0);
      const again = post(url);
      await until(() => g.waiting.length === 1);
      g.releaseAll();
      expect((await again).status).toBe(200);
    } finally {
      g.releaseAll();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('0 = unlimited', async () => {
    const g = gate();
    const { app } = buildTestApp({ configInput: { maxInFlight: 0 }, executor: g.executor });
    const { url, server } = await listen(app);
    try {
      const calls = Array.from({ length: 5 }, () => post(url));
      await until(() => g.waiting.length === 5);
      expect(g.waiting.length).toBe(5);
      g.releaseAll();
      expect((await Promise.all(calls)).map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('a client that disconnects releases its slot', async () => {
    const g = gate();
    const { app } = buildTestApp({ configInput: { maxInFlight: 1 }, executor: g.executor });
    const { url, server } = await listen(app);
    try {
      const ac = new AbortController();
      const gone = fetch(`${url}/cds-services/hlh-screen`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', signal: ac.signal }).catch(() => undefined);
      await until(() => g.waiting.length === 1);
      ac.abort();
      await gone;
      await until(() => (app.locals.admission as { inFlight(): number }).inFlight() === 0);
      expect((app.locals.admission as { inFlight(): number }).inFlight()).toBe(0);
      const next = post(url);
      await until(() => g.waiting.length === 2);
      g.releaseAll();
      expect((await next).status).toBe(200);
    } finally {
      g.releaseAll();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
