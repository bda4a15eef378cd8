/**
 * Issue 6 — inputs and outputs: body size and nesting limits, prototype-pollution-safe parsing, no stack
 * traces, helmet headers with CORS preflight intact, request id echo, and log hygiene (no JWT, no FHIR
 * access token, no patient id in any log line of a full request).
 */
import nock from 'nock';
import request from 'supertest';
import { mintToken, securityInput, SERVICE_PATH, testKey, type TestKey } from '../support/jwt';
import { fullPrefetchRequest, HOOK_INSTANCE, noPrefetchRequest, secureApp, type SecureApp } from './harness';

const FHIR = 'https://fhir.test.example/r4';
let es: TestKey;
beforeAll(async () => {
  es = await testKey('ES384');
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

function app(input: Record<string, unknown> = {}, extra: Parameters<typeof secureApp>[1] = {}): SecureApp {
  return secureApp({ security: securityInput([es]), ...input }, extra);
}

async function post(s: SecureApp, body: unknown, headers: Record<string, string> = {}) {
  let r = request(s.app)
    .post(SERVICE_PATH)
    .set('Authorization', `Bearer ${await mintToken(es)}`)
    .set('Content-Type', 'application/json');
  for (const [k, v] of Object.entries(headers)) r = r.set(k, v);
  return r.send(typeof body === 'string' ? body : JSON.stringify(body));
}

describe('body limits', () => {
  it('a body over bodyLimit → 413 OperationOutcome', async () => {
    const s = app({ bodyLimit: '4kb' });
    const res = await post(s, fullPrefetchRequest(s.prefetchKeys, { extension: { 'org.example.pad': 'x'.repeat(8 * 1024) } }));
    expect(res.status).toBe(413);
    expect(res.body.resourceType).toBe('OperationOutcome');
  });

  it('nesting deeper than maxJsonDepth → 400, and a very deep body does not crash the parser check', async () => {
    const s = app({ maxJsonDepth: 32 });
    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
    const body = `{"hook":"patient-view","extension":{"x":${deep(40)}}}`;
    const res = await post(s, body);
    expect(res.status).toBe(400);
    expect(res.body.issue[0].diagnostics).toMatch(/nested deeper than 32/);
    const huge = await post(app({ bodyLimit: '1mb' }), `{"a":${deep(100_000)}}`);
    expect(huge.status).toBe(400);
  });

  it('invalid JSON → 400 with a generic message, never the parser internals or a stack', async () => {
    const res = await post(app(), '{"hook": "patient-view",,,}');
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).not.toMatch(/Unexpected token|at JSON|\.js:\d+/);
  });
});

describe('prototype pollution', () => {
  it.each([
    ['top-level __proto__', (keys: string[]) => `{"__proto__":{"polluted":"yes"},${JSON.stringify(fullPrefetchRequest(keys)).slice(1)}`],
    ['nested __proto__ in context', () => `{"hook":"patient-view","hookInstance":"${HOOK_INSTANCE}","context":{"userId":"u","patientId":"p","__proto__":{"polluted":"yes"}}}`],
    ['constructor.prototype', () => `{"hook":"patient-view","hookInstance":"${HOOK_INSTANCE}","constructor":{"prototype":{"polluted":"yes"}},"context":{"userId":"u","patientId":"p"}}`],
    ['__proto__ inside prefetch', (keys: string[]) => `{"hook":"patient-view","hookInstance":"${HOOK_INSTANCE}","context":{"userId":"u","patientId":"p"},"prefetch":{"__proto__":{"polluted":"yes"},"${keys[0]}":{"resourceType":"Bundle","__proto__":{"polluted":"yes"}}}}`],
  ])('%s: answered without 5xx and Object.prototype stays clean', async (_name, build) => {
    const s = app();
    const res = await post(s, build(s.prefetchKeys));
    expect(res.status).toBeLessThan(500);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
  });

  it('feedback with __proto__ keys is harmless too', async () => {
    const s = app();
    const res = await request(s.app)
      .post(`${SERVICE_PATH}/feedback`)
      .set('Authorization', `Bearer ${await mintToken(es, { aud: 'https://cds.test.example/cds-services/hlh-screen/feedback' })}`)
      .set('Content-Type', 'application/json')
      .send('{"__proto__":{"polluted":"yes"},"feedback":[{"__proto__":{"polluted":"yes"},"card":"c","outcome":"overridden","outcomeTimestamp":"2026-03-15T12:00:00Z"}]}');
    expect(res.status).toBeLessThan(500);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('errors never leak internals', () => {
  it('an exception in the pipeline → 500 "internal error", no message, no stack; the log has the message', async () => {
    const s = app({}, {
      evaluator: () => {
        throw new Error('secret internal detail /srv/app/src/pipeline.ts:42');
      },
    });
    const res = await post(s, fullPrefetchRequest(s.prefetchKeys));
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'exception', diagnostics: 'internal error' }] });
    expect(s.log.join('\n')).toContain('secret internal detail');
  });
});

describe('headers: helmet for a JSON API, CORS intact', () => {
  it('security headers on every response, no X-Powered-By', async () => {
    const res = await request(app().app).get('/healthz');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['strict-transport-security']).toMatch(/max-age=/);
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('preflight for a service call needs no token and allows Authorization + Content-Type, without credentials', async () => {
    const res = await request(app().app)
      .options(SERVICE_PATH)
      .set('Origin', 'https://ehr.example.org')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization,content-type');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['access-control-allow-headers']).toMatch(/Authorization/);
    expect(res.headers['access-control-allow-headers']).toMatch(/Content-Type/);
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('a 401 is readable cross-origin (CORS headers and WWW-Authenticate exposed)', async () => {
    const res = await request(app().app).get('/cds-services').set('Origin', 'https://ehr.example.org');
    expect(res.status).toBe(401);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['access-control-expose-headers']).toMatch(/WWW-Authenticate/);
  });
});

describe('request id', () => {
  it('a sane X-Request-Id is echoed and on the log lines; hookInstance is on the service log lines', async () => {
    const s = app();
    const res = await post(s, fullPrefetchRequest(s.prefetchKeys), { 'X-Request-Id': 'ehr-req-42' });
    expect(res.headers['x-request-id']).toBe('ehr-req-42');
    const lines = s.log.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.requestId === 'ehr-req-42');
    const evaluated = lines.find((l) => l.msg === 'hook evaluated');
    expect(evaluated).toMatchObject({ requestId: 'ehr-req-42', hookInstance: HOOK_INSTANCE, client: 'https://ehr.test.example/' });
    expect(evaluated?.thread).toBe(0);
    expect(evaluated?.ms).toEqual({ parse: expect.any(Number), resolve: expect.any(Number), evaluate: expect.any(Number) });
  });

  it.each(['has spaces', 'x'.repeat(200), 'evil\\u2028line', '<script>'])('an unusable X-Request-Id (%p) is replaced by a UUID', async (id) => {
    const res = await request(app().app).get('/healthz').set('X-Request-Id', id);
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('without one, a UUID is generated', async () => {
    const res = await request(app().app).get('/healthz');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('log hygiene: no JWT, FHIR access token or patient id in any log line', () => {
  const PATIENT = 'pat-secret-4711';
  const ACCESS = 'fhir-access-token-SECRET-123';

  it('across a fetch-and-evaluate call, a 412, a 400, a 401 and a 500', async () => {
    const s = app({}, {
      evaluator: (_data, ctx) => {
        if (ctx.userId === 'Practitioner/boom') throw new Error('boom');
        return { cards: [] };
      },
    });
    const jwts: string[] = [];
    const mint = async (aud?: string) => {
      const t = await mintToken(es, aud ? { aud } : {});
      jwts.push(t);
      return t;
    };
    nock('https://fhir.test.example')
      .persist()
      .get(/^\/r4\//)
      .reply(200, { resourceType: 'Bundle', type: 'searchset', entry: [{ resource: { resourceType: 'Patient', id: PATIENT } }] });
    nock('https://down.test.example').persist().get(/.*/).reply(503, 'down');
    const ctx = { userId: 'Practitioner/example', patientId: PATIENT };
    const ok = await request(s.app).post(SERVICE_PATH).set('Authorization', `Bearer ${await mint()}`).send(noPrefetchRequest(FHIR, { context: ctx }));
    expect(ok.status).toBe(200);
    const s412 = await request(s.app)
      .post(SERVICE_PATH)
      .set('Authorization', `Bearer ${await mint()}`)
      .send(noPrefetchRequest('https://down.test.example/fhir', { context: ctx }));
    expect(s412.status).toBe(412);
    const bad = await request(s.app)
      .post(SERVICE_PATH)
      .set('Authorization', `Bearer ${await mint()}`)
      .send(noPrefetchRequest(FHIR, { context: { patientId: PATIENT } }));
    expect(bad.status).toBe(400);
    const wrongAud = await mint('https://elsewhere.example/');
    expect((await request(s.app).post(SERVICE_PATH).set('Authorization', `Bearer ${wrongAud}`).send({})).status).toBe(401);
    const boom = await request(s.app)
      .post(SERVICE_PATH)
      .set('Authorization', `Bearer ${await mint()}`)
      .send(fullPrefetchRequest(s.prefetchKeys, { context: { userId: 'Practitioner/boom', patientId: PATIENT } }));
    expect(boom.status).toBe(500);

    const text = s.log.join('\n');
    expect(s.log.length).toBeGreaterThanOrEqual(5);
    expect(text).not.toContain(ACCESS);
    expect(text).not.toContain(PATIENT);
    for (const jwt of jwts) {
      for (const part of jwt.split('.')) expect(text).not.toContain(part);
    }
    expect(text).toContain('authentication failed');
    expect(text).toContain('prefetch unavailable');
  });

  it('the logger redacts credential and patient fields even when a careless call logs them', async () => {
    const s = app();
    s.deps.logger.info(
      { headers: { authorization: 'Bearer abc.def.ghi' }, fhirAuthorization: { access_token: ACCESS }, context: { patientId: PATIENT }, accessToken: ACCESS },
      'careless',
    );
    const text = s.log.join('\n');
    expect(text).not.toContain(ACCESS);
    expect(text).not.toContain(PATIENT);
    expect(text).not.toContain('abc.def.ghi');
  });
});
