/**
 * Issue 6 — a misbehaving FHIR server never hangs or crashes a hook call: every fault ends in a clear
 * 412 OperationOutcome (or a partial-data note), within the configured deadline. nock for canned
 * answers; a real 127.0.0.1 server for timing (no answer, slow drip, a 50 MB chunked stream).
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import request from 'supertest';
import { mintToken, securityInput, SERVICE_PATH, testKey, type TestKey } from '../support/jwt';
import { noPrefetchRequest, secureApp, type SecureApp } from './harness';
import type { Evaluator } from '../../src/http/hook-task';
import type { ResolvedData } from '../../src/fhir/resolved-data';
import { issueText } from '../support/issue-text';

const FHIR = 'https://fhir.test.example/r4';
const TIMEOUT_MS = 300;
const DEADLINE_MS = 1_000;
/** Slack for scheduling on a loaded CI box; the assertion is "bounded", not "fast". */
const BOUND_MS = DEADLINE_MS + 1_500;

let es: TestKey;
beforeAll(async () => {
  es = await testKey('ES384');
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

function app(fhirServers: string[] = [FHIR], fhir: Record<string, unknown> = {}): SecureApp & { seen: ResolvedData[] } {
  const seen: ResolvedData[] = [];
  const evaluator: Evaluator = (data) => {
    seen.push(data);
    return { cards: [] };
  };
  const s = secureApp(
    {
      security: securityInput([es], { issuer: { fhirServers }, fhir: { allowHttpLoopback: true } }),
      fhir: { timeoutMs: TIMEOUT_MS, deadlineMs: DEADLINE_MS, maxPages: 3, maxResponseBytes: 1024 * 1024, ...fhir },
    },
    { evaluator },
  );
  return Object.assign(s, { seen });
}

async function timedCall(s: SecureApp, fhirServer: string) {
  const started = Date.now();
  const res = await request(s.app)
    .post(SERVICE_PATH)
    .set('Authorization', `Bearer ${await mintToken(es)}`)
    .send(noPrefetchRequest(fhirServer));
  return { res, ms: Date.now() - started };
}

function expectBounded412(r: { res: request.Response; ms: number }, reason: RegExp) {
  expect(r.res.status).toBe(412);
  expect(r.res.body.resourceType).toBe('OperationOutcome');
  expect(JSON.stringify(r.res.body)).toMatch(reason);
  expect(JSON.stringify(r.res.body)).not.toMatch(/at .*\.ts:\d+|Error:/); // no stack traces
  expect(r.ms).toBeLessThan(BOUND_MS);
}

describe('canned faults (nock)', () => {
  it('HTTP 500 → 412', async () => {
    nock('https://fhir.test.example').persist().get(/.*/).reply(500, { resourceType: 'OperationOutcome' });
    expectBounded412(await timedCall(app(), FHIR), /HTTP 500/);
  });

  it('HTTP 401 (token rejected by the FHIR server) → 412', async () => {
    nock('https://fhir.test.example').persist().get(/.*/).reply(401, 'unauthorized');
    expectBounded412(await timedCall(app(), FHIR), /HTTP 401/);
  });

  it('invalid JSON → 412', async () => {
    nock('https://fhir.test.example').persist().get(/.*/).reply(200, '{"resourceType": "Bundle", ', { 'Content-Type': 'application/fhir+json' });
    expectBounded412(await timedCall(app(), FHIR), /invalid JSON/);
  });

  it('JSON that is not a FHIR resource → 412', async () => {
    nock('https://fhir.test.example').persist().get(/.*/).reply(200, [1, 2, 3]);
    expectBounded412(await timedCall(app(), FHIR), /not a FHIR resource/);
  });

  it('a declared 50 MB body is refused from its Content-Length without reading it', async () => {
    nock('https://fhir.test.example')
      .persist()
      .get(/.*/)
      .reply(200, '{}', { 'Content-Length': String(50 * 1024 * 1024) });
    expectBounded412(await timedCall(app(), FHIR), /larger than/);
  });

  it('a Bundle whose next link loops back → read once, partial-data note, 200', async () => {
    nock('https://fhir.test.example')
      .persist()
      .get(/.*/)
      .reply(200, (uri) => ({ resourceType: 'Bundle', type: 'searchset', link: [{ relation: 'next', url: `https://fhir.test.example${uri}` }] }));
    const s = app();
    const r = await timedCall(s, FHIR);
    expect(r.res.status).toBe(200);
    expect(r.ms).toBeLessThan(BOUND_MS);
    const notes = s.seen[0]!.issues.map(issueText).join('\n');
    expect(notes).toMatch(/loops back/);
  });

  it('a Bundle with endless distinct next pages → page cap, partial-data note, 200', async () => {
    let n = 0;
    const fhir = nock('https://fhir.test.example')
      .persist()
      .get(/.*/)
      .reply(200, () => ({ resourceType: 'Bundle', type: 'searchset', link: [{ relation: 'next', url: `${FHIR}/page/${++n}` }] }));
    const s = app();
    const r = await timedCall(s, FHIR);
    expect(r.res.status).toBe(200);
    expect(fhir.isDone()).toBe(true);
    expect(n).toBeLessThanOrEqual(3 * s.prefetchKeys.length);
    expect(s.seen[0]!.issues.map(issueText).join('\n')).toMatch(/page cap \(3\)/);
  });

  it('an unreachable server (connection refused / DNS) → 412', async () => {
    const s = app(['https://unreachable.test.example']);
    expectBounded412(await timedCall(s, 'https://unreachable.test.example'), /could not be reached/);
  });
});

describe('timing faults (real 127.0.0.1 server)', () => {
  let server: Server;
  let base: string;
  let mode: 'silent' | 'drip' | 'flood' = 'silent';
  let floodBytes = 0;
  const open = new Set<ServerResponse>();

  beforeAll(async () => {
    server = createServer((req, res) => {
      open.add(res);
      res.on('close', () => open.delete(res));
      if (mode === 'silent') return; // never answers
      if (mode === 'drip') {
        res.writeHead(200, { 'Content-Type': 'application/fhir+json' });
        res.write('{"resourceType":"Bundle","entry":[');
        const t = setInterval(() => res.write(' '), 50);
        res.on('close', () => clearInterval(t));
        return;
      }
      // flood: a 50 MB chunked body, written only as fast as the client reads it
      res.writeHead(200, { 'Content-Type': 'application/fhir+json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let sent = 0;
      const pump = () => {
        while (sent < 50 * 1024 * 1024) {
          sent += chunk.length;
          floodBytes += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.write('{"resourceType":"Bundle","entry":[');
      pump();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir`;
  });
  afterEach(() => {
    for (const res of open) res.destroy();
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('no answer at all → per-request timeout → 412 within the deadline', async () => {
    mode = 'silent';
    expectBounded412(await timedCall(app([base]), base), /no complete answer within 300 ms/);
  });

  it('a slow-drip body (headers fast, a byte every 50 ms forever) → timeout → 412 within the deadline', async () => {
    mode = 'drip';
    expectBounded412(await timedCall(app([base]), base), /no complete answer|deadline/);
  });

  it('the overall deadline bounds a call even when the per-request timeout is longer', async () => {
    mode = 'silent';
    const r = await timedCall(app([base], { timeoutMs: 5_000, deadlineMs: 600 }), base);
    expectBounded412(r, /deadline/);
    expect(r.ms).toBeLessThan(600 + 1_500);
  });

  it('a 50 MB chunked body → size cap (1 MB) → 412; the stream is abandoned early, not read to the end', async () => {
    mode = 'flood';
    floodBytes = 0;
    const s = app([base]);
    expectBounded412(await timedCall(s, base), /larger than 1048576 bytes/);
    // Per key at most the cap plus socket buffers was produced: nowhere near 50 MB per key.
    expect(floodBytes).toBeLessThan(s.prefetchKeys.length * 8 * 1024 * 1024);
  });
});
