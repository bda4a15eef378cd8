/**
 * Issue 6 — CDS client authentication matrix. Every refusal is the same generic 401 with
 * `WWW-Authenticate: Bearer`; the reason is in the log, the token never is.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import nock from 'nock';
import request from 'supertest';
import { generateKeyPair, exportJWK, SignJWT } from 'jose';
import {
  FIXTURES,
  PUBLIC_BASE,
  SERVICE_AUD,
  SERVICE_PATH,
  TEST_ISS,
  claimsFor,
  hmacWithPublicKey,
  mintToken,
  securityInput,
  specKey,
  testKey,
  unsignedToken,
  type PublicJwk,
  type TestKey,
} from '../support/jwt';
import { fullPrefetchRequest, secureApp, type SecureApp } from './harness';

let es: TestKey;
let rs: TestKey;
let other: TestKey;

beforeAll(async () => {
  es = await testKey('ES384');
  rs = await testKey('RS384');
  other = await testKey('ES384', es.kid); // same kid, different key → wrong signature
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

function app(extra: Parameters<typeof securityInput>[1] = {}): SecureApp {
  return secureApp({ security: securityInput([es, rs], extra) });
}

async function callService(s: SecureApp, authorization: string | undefined) {
  const r = request(s.app).post(SERVICE_PATH).send(fullPrefetchRequest(s.prefetchKeys));
  return authorization === undefined ? r : r.set('Authorization', authorization);
}

function expectGeneric401(res: request.Response, s: SecureApp, secret?: string, reason?: RegExp) {
  expect(res.status).toBe(401);
  expect(res.headers['www-authenticate']).toBe('Bearer');
  expect(res.body).toEqual({
    resourceType: 'OperationOutcome',
    issue: [{ severity: 'error', code: 'login', diagnostics: 'authentication required' }],
  });
  const failures = s.log.filter((l) => l.includes('authentication failed'));
  expect(failures.length).toBeGreaterThan(0);
  if (reason) expect(failures.join('\n')).toMatch(reason);
  if (secret) {
    const [h, p, sig] = secret.split('.');
    for (const part of [secret, h, p, sig].filter((x): x is string => !!x && x.length > 8)) {
      expect(s.log.join('\n')).not.toContain(part);
    }
  }
}

describe('valid tokens are accepted', () => {
  it('ES384 on the service endpoint; the client is attached and named in the log', async () => {
    const s = app();
    const res = await callService(s, `Bearer ${await mintToken(es)}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ cards: [] });
    expect(s.log.join('\n')).toContain(`"client":"${TEST_ISS}"`);
  });

  it('RS384 on the service endpoint', async () => {
    const s = app();
    expect((await callService(s, `Bearer ${await mintToken(rs)}`)).status).toBe(200);
  });

  it('on discovery and feedback (aud = that endpoint), and the Bearer scheme is case-insensitive', async () => {
    const s = app();
    const d = await request(s.app)
      .get('/cds-services')
      .set('Authorization', `bearer ${await mintToken(es, { aud: `${PUBLIC_BASE}/cds-services` })}`);
    expect(d.status).toBe(200);
    const f = await request(s.app)
      .post(`${SERVICE_PATH}/feedback`)
      .set('Authorization', `Bearer ${await mintToken(rs, { aud: `${SERVICE_AUD}/feedback` })}`)
      .send({ feedback: [{ card: '9368d37b-283f-44a0-93ea-547cebab93ed', outcome: 'overridden', outcomeTimestamp: '2026-03-15T12:00:00Z' }] });
    expect(f.status).toBe(200);
  });

  it('/healthz needs no token and says auth is required', async () => {
    const res = await request(app().app).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body.auth).toBe('required');
    expect(res.body.status).toBe('ok');
    expect(res.body.warning).toBeUndefined();
  });

  it('a token inside the clock skew (expired 30 s ago, skew 60 s) is accepted', async () => {
    const s = app();
    expect((await callService(s, `Bearer ${await mintToken(es, { iatOffset: -330, expOffset: -30 })}`)).status).toBe(200);
  });

  it('an audience configured for the issuer is accepted (EHRs that set aud by hand)', async () => {
    const s = app({ issuer: { audiences: ['https://cds.test.example/'] } });
    expect((await callService(s, `Bearer ${await mintToken(es, { aud: 'https://cds.test.example/' })}`)).status).toBe(200);
  });

  it('the specification example key (fixtures) verifies against the spec JWKS; its static jku header is not fetched', async () => {
    const spec = await specKey();
    const payload = JSON.parse(readFileSync(join(FIXTURES, 'jwt-payload.json'), 'utf8')) as Record<string, string>;
    const header = JSON.parse(readFileSync(join(FIXTURES, 'jwt-header.json'), 'utf8')) as Record<string, string>;
    const jwks = JSON.parse(readFileSync(join(FIXTURES, 'jwks.json'), 'utf8')) as unknown;
    const s = secureApp({
      security: {
        publicBaseUrl: 'https://cds.example.org',
        auth: { issuers: [{ iss: payload.iss!, jwks: jwks as { keys: [] }, tenants: [payload.tenant!], fhirServers: [] }] },
      },
    });
    const jku = nock('https://fhir-ehr.example.com').get(/.*/).reply(200, { keys: [] });
    const token = await mintToken(spec, { iss: payload.iss, aud: 'https://cds.example.org/cds-services/hlh-screen', tenant: payload.tenant, header });
    expect((await callService(s, `Bearer ${token}`)).status).toBe(200);
    expect(jku.isDone()).toBe(false);
  });

  it('a remote JWKS from an allowlisted jku is fetched once and cached', async () => {
    const s = app({ issuer: { jwks: { jku: ['https://ehr.test.example/.well-known/jwks.json'] } } });
    const scope = nock('https://ehr.test.example').get('/.well-known/jwks.json').once().reply(200, { keys: [es.publicJwk] });
    const jku = 'https://ehr.test.example/.well-known/jwks.json';
    expect((await callService(s, `Bearer ${await mintToken(es, { header: { jku } })}`)).status).toBe(200);
    expect((await callService(s, `Bearer ${await mintToken(es)}`)).status).toBe(200); // no jku → first allowlisted URL
    expect(scope.isDone()).toBe(true);
  });

  it('the endpoint URL comes from the Host header when publicBaseUrl is unset; X-Forwarded-* only under trust proxy', async () => {
    const base = { auth: { issuers: [{ iss: TEST_ISS, jwks: { keys: [es.publicJwk] }, fhirServers: [] }] } };
    const plain = secureApp({ security: base });
    const local = await mintToken(es, { aud: 'http://cds.local:8080/cds-services/hlh-screen' });
    const ok = await request(plain.app)
      .post(SERVICE_PATH)
      .set('Host', 'cds.local:8080')
      .set('Authorization', `Bearer ${local}`)
      .send(fullPrefetchRequest(plain.prefetchKeys));
    expect(ok.status).toBe(200);

    const forwarded = await mintToken(es, { aud: 'https://public.example/cds-services/hlh-screen' });
    const spoof = await request(plain.app)
      .post(SERVICE_PATH)
      .set('Host', 'cds.local:8080')
      .set('X-Forwarded-Proto', 'https')
      .set('X-Forwarded-Host', 'public.example')
      .set('Authorization', `Bearer ${forwarded}`)
      .send(fullPrefetchRequest(plain.prefetchKeys));
    expect(spoof.status).toBe(401);

    const proxied = secureApp({ security: { ...base, trustProxy: 'loopback' } });
    const viaProxy = await request(proxied.app)
      .post(SERVICE_PATH)
      .set('X-Forwarded-Proto', 'https')
      .set('X-Forwarded-Host', 'public.example')
      .set('Authorization', `Bearer ${await mintToken(es, { aud: 'https://public.example/cds-services/hlh-screen' })}`)
      .send(fullPrefetchRequest(proxied.prefetchKeys));
    expect(viaProxy.status).toBe(200);
  });
});

describe('refusals: 401, generic body, reason logged without the token', () => {
  it('missing Authorization header', async () => {
    const s = app();
    expectGeneric401(await callService(s, undefined), s, undefined, /missing Authorization/);
    expect(s.log.join('\n')).toContain('"path":"/cds-services/hlh-screen"');
  });

  it.each([['Bearer'], ['Bearer '], ['Basic dXNlcjpwYXNz'], ['Bearer a.b'], ['Bearer not-a-jwt-at-all'], ['Bearer a.b.c.d'], ['Bearer x y']])(
    'malformed header %p',
    async (h) => {
      const s = app();
      expectGeneric401(await callService(s, h), s);
    },
  );

  it('garbage that looks like a JWT (three base64url parts)', async () => {
    const s = app();
    const token = 'eyJhbGciOiJFUzM4NCJ9.bm90IGpzb24.c2lnbmF0dXJl';
    expectGeneric401(await callService(s, `Bearer ${token}`), s, token, /cannot be decoded|verification|JWT/);
  });

  it('wrong signature (same kid, other key)', async () => {
    const s = app();
    const token = await mintToken(other);
    expectGeneric401(await callService(s, `Bearer ${token}`), s, token, /signature verification failed/);
  });

  it('tampered payload', async () => {
    const s = app();
    const [h, , sig] = (await mintToken(es)).split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claimsFor(), sub: 'admin' })).toString('base64url')}.${sig}`;
    expectGeneric401(await callService(s, `Bearer ${forged}`), s, forged, /signature/);
  });

  it('unknown kid', async () => {
    const s = app();
    const stranger = await testKey('ES384', 'nobody-knows-me');
    const token = await mintToken(stranger);
    expectGeneric401(await callService(s, `Bearer ${token}`), s, token, /ERR_JWKS_NO_MATCHING_KEY/);
  });

  it('alg: none', async () => {
    const s = app();
    const token = unsignedToken(claimsFor());
    expectGeneric401(await callService(s, `Bearer ${token}`), s, token, /not a signed compact JWT|not allowed/);
    const withSig = `${token}AAAA`;
    expectGeneric401(await callService(s, `Bearer ${withSig}`), s, withSig, /algorithm \\"none\\" is not allowed/);
  });

  it('HS256 signed with the public key as the secret', async () => {
    const s = app();
    const token = await hmacWithPublicKey(es);
    expectGeneric401(await callService(s, `Bearer ${token}`), s, token, /algorithm \\"HS256\\" is not allowed/);
  });

  it('an allowed-elsewhere algorithm not on the configured list (ES256)', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'es256', alg: 'ES256' } as PublicJwk;
    const s = secureApp({ security: { publicBaseUrl: PUBLIC_BASE, auth: { issuers: [{ iss: TEST_ISS, jwks: { keys: [jwk] }, fhirServers: [] }] } } });
    const token = await new SignJWT(claimsFor()).setProtectedHeader({ alg: 'ES256', kid: 'es256' }).sign(privateKey);
    expectGeneric401(await callService(s, `Bearer ${token}`), s, token, /ES256/);
  });

  it('expired beyond the skew', async () => {
    const s = app();
    const token = await mintToken(es, { iatOffset: -400, expOffset: -120 });
    expectGeneric401(await callService(s, `Bearer ${token}`), s, token, /ERR_JWT_EXPIRED/);
  });

  it('not yet valid (nbf in the future)', async () => {
    const s = app();
    const token = await mintToken(es, { nbfOffset: 300, expOffset: 600 });
    expectGeneric401(await callService(s, `Bearer ${token}`), s, token, /nbf/);
  });

  it('issued in the future (iat beyond the skew)', async () => {
    const s = app();
    const token = await mintToken(es, { iatOffset: 300, expOffset: 600 });
    expectGeneric401(await callService(s, `Bearer ${token}`), s, token, /iat/);
  });

  it('exp further ahead than the maximum lifetime', async () => {
    const s = app();
    const token = await mintToken(es, { expOffset: 2 * 86_400 });
    expectGeneric401(await callService(s, `Bearer ${token}`), s, token, /maximum token lifetime/);
  });

  it('missing exp / iat / jti / aud', async () => {
    for (const claim of ['exp', 'iat', 'jti', 'aud']) {
      const s = app();
      const token = await mintToken(es, { omit: [claim] });
      expectGeneric401(await callService(s, `Bearer ${token}`), s, token, new RegExp(claim));
    }
  });

  it('wrong aud (another service, the discovery URL, another host)', async () => {
    for (const aud of [`${PUBLIC_BASE}/cds-services/other`, `${PUBLIC_BASE}/cds-services`, 'https://evil.example/cds-services/hlh-screen']) {
      const s = app();
      const token = await mintToken(es, { aud });
      expectGeneric401(await callService(s, `Bearer ${token}`), s, token, /aud/);
    }
  });

  it('untrusted iss (unknown issuer signing with its own key)', async () => {
    const s = app();
    const token = await mintToken(es, { iss: 'https://evil.example/' });
    expectGeneric401(await callService(s, `Bearer ${token}`), s, token, /issuer is not registered/);
  });

  it('jku not on the allowlist → refused without fetching it', async () => {
    const s = app({ issuer: { jwks: { jku: ['https://ehr.test.example/.well-known/jwks.json'] } } });
    const evil = nock('https://evil.example').get(/.*/).reply(200, { keys: [es.publicJwk] });
    const good = nock('https://ehr.test.example').get(/.*/).reply(200, { keys: [es.publicJwk] });
    const token = await mintToken(es, { header: { jku: 'https://evil.example/jwks.json' } });
    expectGeneric401(await callService(s, `Bearer ${token}`), s, token, /jku header is not on the issuer allowlist/);
    expect(evil.isDone()).toBe(false);
    expect(good.isDone()).toBe(false);
  });

  it('an allowlisted jku that is down or answers garbage → 401, bounded', async () => {
    const jku = 'https://ehr.test.example/.well-known/jwks.json';
    for (const reply of [
      (n: nock.Interceptor) => n.reply(503, 'down'),
      (n: nock.Interceptor) => n.reply(200, 'not json'),
      (n: nock.Interceptor) => n.reply(302, '', { Location: 'https://evil.example/jwks' }),
    ]) {
      const s = app({ issuer: { jwks: { jku: [jku] } } });
      reply(nock('https://ehr.test.example').get('/.well-known/jwks.json'));
      const evil = nock('https://evil.example').get(/.*/).reply(200, { keys: [es.publicJwk] });
      const token = await mintToken(es, { header: { jku } });
      const started = Date.now();
      expectGeneric401(await callService(s, `Bearer ${token}`), s, token);
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(evil.isDone()).toBe(false);
      nock.cleanAll();
    }
  });

  it('key rotation: a new kid at the allowlisted jku is picked up (refetch on unknown kid)', async () => {
    const jku = 'https://ehr.test.example/.well-known/jwks.json';
    const s = app({ issuer: { jwks: { jku: [jku] } } });
    nock('https://ehr.test.example').get('/.well-known/jwks.json').reply(200, { keys: [rs.publicJwk] });
    expect((await callService(s, `Bearer ${await mintToken(es)}`)).status).toBe(401); // es not published yet
    const rotated = nock('https://ehr.test.example').get('/.well-known/jwks.json').reply(200, { keys: [rs.publicJwk, es.publicJwk] });
    // jose refetches on an unknown kid at most once per 30 s cooldown: fake only the clock and move it on.
    jest.useFakeTimers({
      doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'queueMicrotask', 'hrtime', 'performance'],
    });
    try {
      jest.setSystemTime(Date.now() + 31_000);
      expect((await callService(s, `Bearer ${await mintToken(es)}`)).status).toBe(200);
      expect(rotated.isDone()).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });

  it('a static-JWKS issuer never fetches a jku header', async () => {
    const s = app();
    const evil = nock('https://evil.example').get(/.*/).reply(200, { keys: [other.publicJwk] });
    const token = await mintToken(other, { header: { jku: 'https://evil.example/jwks.json' } });
    expectGeneric401(await callService(s, `Bearer ${token}`), s, token, /signature/);
    expect(evil.isDone()).toBe(false);
  });

  it('replayed jti (same token twice, and a new token reusing a jti)', async () => {
    const s = app();
    const token = await mintToken(es, { jti: 'once-only' });
    expect((await callService(s, `Bearer ${token}`)).status).toBe(200);
    expectGeneric401(await callService(s, `Bearer ${token}`), s, token, /replay/);
    const again = await mintToken(rs, { jti: 'once-only' });
    expectGeneric401(await callService(s, `Bearer ${again}`), s, again, /replay/);
  });

  it('a failed token does not burn its jti (only verified tokens enter the replay cache)', async () => {
    const s = app();
    await callService(s, `Bearer ${await mintToken(es, { jti: 'shared-jti', aud: 'https://wrong.example/' })}`);
    expect((await callService(s, `Bearer ${await mintToken(es, { jti: 'shared-jti' })}`)).status).toBe(200);
  });

  it('tenant: required and checked when configured', async () => {
    const s = app({ issuer: { tenants: ['tenant-a'] } });
    const none = await mintToken(es);
    expectGeneric401(await callService(s, `Bearer ${none}`), s, none, /tenant/);
    const wrong = await mintToken(es, { tenant: 'tenant-b' });
    expectGeneric401(await callService(s, `Bearer ${wrong}`), s, wrong, /tenant/);
    expect((await callService(s, `Bearer ${await mintToken(es, { tenant: 'tenant-a' })}`)).status).toBe(200);
  });

  it('typ other than JWT', async () => {
    const s = app();
    const token = await mintToken(es, { header: { typ: 'at+jwt' } });
    expectGeneric401(await callService(s, `Bearer ${token}`), s, token, /typ/);
  });

  it('discovery and feedback are protected too; healthz is not', async () => {
    const s = app();
    expectGeneric401(await request(s.app).get('/cds-services'), s);
    expectGeneric401(await request(s.app).post(`${SERVICE_PATH}/feedback`).send({ feedback: [] }), s);
    expect((await request(s.app).get('/healthz')).status).toBe(200);
  });

  it('a token for discovery is not accepted on the service endpoint (aud binds the endpoint)', async () => {
    const s = app();
    const token = await mintToken(es, { aud: `${PUBLIC_BASE}/cds-services` });
    expectGeneric401(await callService(s, `Bearer ${token}`), s, token, /aud/);
  });
});

describe('embedded default: auth required, no issuer', () => {
  it('every CDS call is 401, healthz warns, start-up log says how to register an EHR', async () => {
    const s = secureApp({});
    const token = await mintToken(es);
    expectGeneric401(await callService(s, `Bearer ${token}`), s, token, /issuer is not registered/);
    expectGeneric401(await request(s.app).get('/cds-services'), s);
    const h = await request(s.app).get('/healthz');
    expect(h.body.auth).toBe('required');
    expect(h.body.status).toBe('no EHR registered');
    expect(h.body.warning).toMatch(/no EHR issuer is registered/);
    expect(s.log.join('\n')).toMatch(/AUTH_MODE=disabled-dev/);
  });
});
