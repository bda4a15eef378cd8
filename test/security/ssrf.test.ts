/**
 * Issue 6 — outbound FHIR safety. A fhirServer not registered for the authenticated issuer, or at a
 * metadata / link-local address, is never called (nock sees no request); the FHIR access token only ever
 * goes to the allowed origin (redirects and foreign next links are not followed).
 */
import nock from 'nock';
import request from 'supertest';
import { fhirServerRefusal } from '../../src/security/ssrf';
import type { ServiceStats } from '../../src/ops/stats';
import { mintToken, securityInput, SERVICE_PATH, testKey, type TestKey } from '../support/jwt';
import { fullPrefetchRequest, noPrefetchRequest, secureApp, type SecureApp } from './harness';

const ALLOWED = 'https://fhir.test.example/r4';
const ACCESS_TOKEN = 'fhir-access-token-SECRET-123';

let es: TestKey;
let unexpected: string[] = [];
const onNoMatch = (req: { method?: string; host?: string; path?: string; href?: string }) => {
  const what = `${req.method ?? ''} ${req.href ?? `${req.host ?? ''}${req.path ?? ''}`}`;
  if (!/\/\/127\.0\.0\.1[:/]|^\S+ 127\.0\.0\.1/.test(what)) unexpected.push(what); // supertest's own in-process server
};

beforeAll(async () => {
  es = await testKey('ES384');
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
  nock.emitter.on('no match', onNoMatch);
});
beforeEach(() => {
  unexpected = [];
});
afterEach(() => nock.cleanAll());
afterAll(() => {
  nock.emitter.removeListener('no match', onNoMatch);
  nock.enableNetConnect();
});

describe('fhirServerRefusal (policy unit)', () => {
  const policy = { allowHttpLoopback: false };
  it.each([ALLOWED, `${ALLOWED}/`, `${ALLOWED}/tenant-1`, 'https://FHIR.test.example/r4', 'https://fhir.test.example:443/r4'])('allows %s', (url) => {
    expect(fhirServerRefusal(url, [ALLOWED], policy)).toBeUndefined();
  });

  it.each([
    ['https://fhir.test.example/r40', /not registered/],
    ['https://fhir.test.example/other', /not registered/],
    ['https://fhir.test.example/r4/../admin', /not registered/],
    ['https://fhir.test.example/r4/%2e%2e/admin', /not registered/],
    ['https://fhir.test.example:8443/r4', /not registered/],
    ['https://fhir.test.example.evil.example/r4', /not registered/],
    ['https://evil.example/r4', /not registered/],
    ['http://fhir.test.example/r4', /only https/],
    ['https://user:pw@fhir.test.example/r4', /credentials/],
    ['https://fhir.test.example/r4?_format=json', /query or fragment/],
    ['https://fhir.test.example/r4#x', /query or fragment/],
    ['ftp://fhir.test.example/r4', /only https/],
    ['file:///etc/passwd', /only https/],
    ['gopher://fhir.test.example:70/_', /only https/],
    ['javascript:alert(1)', /only https/],
    ['not a url', /not a valid URL/],
    ['http://169.254.169.254/latest/meta-data/', /only https/],
  ])('refuses %s', (url, reason) => {
    expect(fhirServerRefusal(url, [ALLOWED], policy)).toMatch(reason);
  });

  it.each([
    'https://169.254.169.254/latest/meta-data/',
    'https://2852039166/', // 169.254.169.254 as one decimal number
    'https://0xA9FEA9FE/',
    'https://169.254.1.1/',
    'https://[fd00:ec2::254]/',
    'https://[fe80::1]/',
    'https://[::ffff:169.254.169.254]/',
    'https://[64:ff9b::a9fe:a9fe]/',
    'https://100.100.100.200/',
    'https://0.0.0.0/',
    'https://[::]/',
    'https://224.0.0.1/',
  ])('refuses metadata / link-local literal %s even when it is on the allowlist', (url) => {
    expect(fhirServerRefusal(url, [url, '*'], policy)).toMatch(/refused/);
  });

  it('http only on loopback, only with the development switch', () => {
    const dev = { allowHttpLoopback: true };
    for (const url of ['http://127.0.0.1:8080/fhir', 'http://localhost:8080/fhir', 'http://[::1]:8080/fhir']) {
      expect(fhirServerRefusal(url, [url], dev)).toBeUndefined();
      expect(fhirServerRefusal(url, [url], policy)).toMatch(/only https/);
    }
    expect(fhirServerRefusal('http://10.0.0.5/fhir', ['http://10.0.0.5/fhir'], dev)).toMatch(/loopback/);
    expect(fhirServerRefusal('http://fhir.test.example/r4', ['http://fhir.test.example/r4'], dev)).toMatch(/loopback/);
  });

  it('http to a host named on the development list (compose service names), and only there', () => {
    const named = { allowHttpLoopback: false, allowHttpHosts: ['fhir:8080', 'hapi'] };
    expect(fhirServerRefusal('http://fhir:8080/fhir', ['http://fhir:8080/fhir'], named)).toBeUndefined();
    expect(fhirServerRefusal('http://FHIR:8080/fhir', ['http://fhir:8080/fhir'], named)).toBeUndefined();
    expect(fhirServerRefusal('http://hapi:9000/fhir', ['http://hapi:9000/fhir'], named)).toBeUndefined();
    expect(fhirServerRefusal('http://fhir:8081/fhir', ['http://fhir:8081/fhir'], named)).toMatch(/only https/);
    expect(fhirServerRefusal('http://fhir/fhir', ['http://fhir/fhir'], named)).toMatch(/only https/);
    expect(fhirServerRefusal('http://other:8080/fhir', ['http://other:8080/fhir'], named)).toMatch(/only https/);
    // The issuer's list still decides, and metadata addresses stay refused.
    expect(fhirServerRefusal('http://fhir:8080/fhir', ['https://fhir.test.example/r4'], named)).toMatch(/not registered/);
    expect(fhirServerRefusal('http://169.254.169.254/', '*', { allowHttpLoopback: false, allowHttpHosts: ['169.254.169.254'] })).toMatch(/refused/);
  });

  it('"*" (development only) allows any URL passing the transport checks, never metadata', () => {
    expect(fhirServerRefusal('https://anything.example/fhir', '*', policy)).toBeUndefined();
    expect(fhirServerRefusal('https://169.254.169.254/', '*', policy)).toMatch(/refused/);
    expect(fhirServerRefusal('http://anything.example/fhir', '*', policy)).toMatch(/only https/);
  });

  it('an empty list means prefetch only', () => {
    expect(fhirServerRefusal(ALLOWED, [], policy)).toMatch(/not registered/);
  });
});

function app(extra: Parameters<typeof securityInput>[1] = {}): SecureApp {
  return secureApp({ security: securityInput([es], extra), fhir: { timeoutMs: 500, deadlineMs: 1500 } });
}

async function call(s: SecureApp, body: Record<string, unknown>) {
  return request(s.app)
    .post(SERVICE_PATH)
    .set('Authorization', `Bearer ${await mintToken(es)}`)
    .send(body);
}

function expect412(res: request.Response, reason: RegExp) {
  expect(res.status).toBe(412);
  expect(res.headers['content-type']).toMatch(/json/);
  expect(res.body.resourceType).toBe('OperationOutcome');
  expect(res.body.issue.length).toBeGreaterThan(0);
  expect(JSON.stringify(res.body)).toMatch(reason);
}

describe('service call: fhirServer policy before any outbound call', () => {
  it('a disallowed host with missing prefetch → 412 and no outbound call', async () => {
    const s = app();
    const evil = nock('https://evil.example').persist().get(/.*/).reply(200, { resourceType: 'Bundle', type: 'searchset' });
    expect412(await call(s, noPrefetchRequest('https://evil.example/fhir')), /not registered for this client/);
    expect(evil.isDone()).toBe(false);
    expect(unexpected).toEqual([]);
  });

  it('http://169.254.169.254 (cloud metadata) → 412 and no outbound call, even if an admin listed it', async () => {
    const s = app({ issuer: { fhirServers: ['http://169.254.169.254'] }, fhir: { allowHttpLoopback: true } });
    const meta = nock('http://169.254.169.254').persist().get(/.*/).reply(200, { resourceType: 'Bundle' });
    expect412(await call(s, noPrefetchRequest('http://169.254.169.254/latest/meta-data')), /loopback|refused/);
    expect(meta.isDone()).toBe(false);
    expect(unexpected).toEqual([]);
  });

  it('https metadata literal on the allowlist is still refused', async () => {
    const s = app({ issuer: { fhirServers: ['https://169.254.169.254'] } });
    const meta = nock('https://169.254.169.254').persist().get(/.*/).reply(200, { resourceType: 'Bundle' });
    expect412(await call(s, noPrefetchRequest('https://169.254.169.254/fhir')), /link-local/);
    expect(meta.isDone()).toBe(false);
  });

  it('all prefetch present: a disallowed fhirServer is never called and the request is accepted', async () => {
    const s = app();
    const evil = nock('https://evil.example').persist().get(/.*/).reply(200, {});
    const body = fullPrefetchRequest(s.prefetchKeys, {
      fhirServer: 'https://evil.example/fhir',
      fhirAuthorization: { access_token: ACCESS_TOKEN, token_type: 'Bearer', expires_in: 300, scope: 'patient/*.read', subject: 'x' },
    });
    const res = await call(s, body);
    expect(res.status).toBe(200);
    expect(evil.isDone()).toBe(false);
    expect(unexpected).toEqual([]);
  });

  it('an allowed server is called with the access token', async () => {
    const s = app();
    const auths: Array<string | undefined> = [];
    const fhir = nock('https://fhir.test.example')
      .persist()
      .get(/^\/r4\//)
      .reply(function () {
        auths.push(this.req.headers.authorization as string | undefined);
        return [200, { resourceType: 'Bundle', type: 'searchset', entry: [] }];
      });
    const res = await call(s, noPrefetchRequest(ALLOWED));
    expect(res.status).toBe(200);
    expect(fhir.isDone()).toBe(true);
    expect(auths.length).toBe(s.prefetchKeys.length);
    expect(new Set(auths)).toEqual(new Set([`Bearer ${ACCESS_TOKEN}`]));
  });

  it('a redirecting allowed server: the redirect target is never called, the token never leaves the origin → 412', async () => {
    const s = app();
    nock('https://fhir.test.example').persist().get(/.*/).reply(302, '', { Location: 'https://evil.example/steal' });
    const evil = nock('https://evil.example').persist().get(/.*/).reply(200, { resourceType: 'Bundle' });
    expect412(await call(s, noPrefetchRequest(ALLOWED)), /redirect/);
    expect(evil.isDone()).toBe(false);
    expect(unexpected).toEqual([]);
  });

  it('a same-origin redirect is not followed either (307 to another path)', async () => {
    const s = app();
    nock('https://fhir.test.example').persist().get(/^\/r4\//).reply(307, '', { Location: 'https://fhir.test.example/admin' });
    const admin = nock('https://fhir.test.example').get('/admin').reply(200, { resourceType: 'Bundle' });
    expect412(await call(s, noPrefetchRequest(ALLOWED)), /redirect/);
    expect(admin.isDone()).toBe(false);
  });

  it('a Bundle whose next link points to another origin: not followed (partial-data note), token not sent there', async () => {
    const s = app();
    nock('https://fhir.test.example')
      .persist()
      .get(/^\/r4\//)
      .reply(200, { resourceType: 'Bundle', type: 'searchset', link: [{ relation: 'next', url: 'https://evil.example/page2' }], entry: [] });
    const evil = nock('https://evil.example').persist().get(/.*/).reply(200, { resourceType: 'Bundle' });
    const res = await call(s, noPrefetchRequest(ALLOWED));
    expect(res.status).toBe(200);
    expect(evil.isDone()).toBe(false);
    expect(s.log.join('\n')).not.toContain(ACCESS_TOKEN);
  });

  it('a next link on the same origin but outside the fhirServer base path is not followed: the token never reaches /admin', async () => {
    const s = app();
    nock('https://fhir.test.example')
      .persist()
      .get(/^\/r4\//)
      .reply(200, { resourceType: 'Bundle', type: 'searchset', link: [{ relation: 'next', url: 'https://fhir.test.example/admin/export?page=2' }], entry: [] });
    const admin = nock('https://fhir.test.example').persist().get(/^\/admin/).reply(200, { resourceType: 'Bundle', type: 'searchset' });
    const res = await call(s, noPrefetchRequest(ALLOWED));
    expect(res.status).toBe(200);
    expect(admin.isDone()).toBe(false);
  });

  it('one byte budget per hook across all keys: many medium responses, none over the per-page cap, add up to a 412', async () => {
    // Each response is ~40 KB, far below maxResponseBytes (20 MB); together the keys exceed the 100 KB budget.
    const s = secureApp({ security: securityInput([es]), fhir: { timeoutMs: 500, deadlineMs: 1500, maxHookBytes: 100_000 } });
    const entry = Array.from({ length: 400 }, (_, i) => ({ resource: { resourceType: 'Observation', id: `o${i}`, status: 'final' } }));
    nock('https://fhir.test.example').persist().get(/^\/r4\//).reply(200, { resourceType: 'Bundle', type: 'searchset', entry });
    expect412(await call(s, noPrefetchRequest(ALLOWED)), /byte budget \(100000 bytes across all queries\)/);
    const line = s.log.find((l) => l.includes('prefetch unavailable'));
    expect(line).toBeDefined();
    expect((s.app.locals.stats as ServiceStats).snapshot().counters.fhirBytesRefusals).toBe(1);
  });

  it('the hook deadline covers fetch and evaluation: a slow FHIR server is cut off evaluationReserveMs before it → 412, not a wait for fhir.deadlineMs', async () => {
    const s = secureApp({ security: securityInput([es]), hookDeadlineMs: 800, evaluationReserveMs: 300, fhir: { timeoutMs: 5000, deadlineMs: 5000 } });
    nock('https://fhir.test.example').persist().get(/^\/r4\//).delay(3000).reply(200, { resourceType: 'Bundle', type: 'searchset' });
    const t0 = Date.now();
    const res = await call(s, noPrefetchRequest(ALLOWED));
    const ms = Date.now() - t0;
    expect412(res, /overall FHIR deadline exceeded/);
    expect(ms).toBeGreaterThanOrEqual(450);
    expect(ms).toBeLessThan(2500);
    expect((s.app.locals.stats as ServiceStats).snapshot().counters.fhirDeadlineRefusals).toBe(1);
  });

  it('no authenticated client (route reached without authenticate) → refused', async () => {
    const s = secureApp({ security: securityInput([es]) }, { authenticate: (_req, _res, next) => next() });
    const fhir = nock('https://fhir.test.example').persist().get(/.*/).reply(200, {});
    expect412(await request(s.app).post(SERVICE_PATH).send(noPrefetchRequest(ALLOWED)), /no authenticated client/);
    expect(fhir.isDone()).toBe(false);
  });
});

describe('disabled-dev mode', () => {
  it('warns loudly in the log and on /healthz; no fhirServer is allowed unless listed', async () => {
    const s = secureApp({ security: { auth: { mode: 'disabled-dev' } } });
    expect(s.log.join('\n')).toMatch(/AUTHENTICATION IS DISABLED/);
    const h = await request(s.app).get('/healthz');
    expect(h.body.auth).toBe('disabled-dev');
    expect(h.body.warning).toMatch(/AUTHENTICATION IS DISABLED/);
    expect((await request(s.app).post(SERVICE_PATH).send(fullPrefetchRequest(s.prefetchKeys))).status).toBe(200);
    const fhir = nock('https://fhir.test.example').persist().get(/.*/).reply(200, {});
    expect412(await request(s.app).post(SERVICE_PATH).send(noPrefetchRequest(ALLOWED)), /not registered/);
    expect(fhir.isDone()).toBe(false);
  });

  it('allowedFhirServersWhenAuthDisabled lists the servers dev mode may call', async () => {
    const s = secureApp({ security: { auth: { mode: 'disabled-dev' }, fhir: { allowedFhirServersWhenAuthDisabled: [ALLOWED] } } });
    nock('https://fhir.test.example').persist().get(/^\/r4\//).reply(200, { resourceType: 'Bundle', type: 'searchset' });
    expect((await request(s.app).post(SERVICE_PATH).send(noPrefetchRequest(ALLOWED))).status).toBe(200);
    const evil = nock('https://evil.example').persist().get(/.*/).reply(200, {});
    expect412(await request(s.app).post(SERVICE_PATH).send(noPrefetchRequest('https://evil.example/fhir')), /not registered/);
    expect(evil.isDone()).toBe(false);
  });
});
