/**
 * Conformance: "Transport and JSON", "Discovery" and the transport rows of "Security" through the
 * production runtime: plain HTTP works (TLS is the deployment's job), discovery shape, CORS on every route
 * and status including the preflight of all three endpoints, a 401 without detail, no stack trace in any
 * error body, and response time for a typical full prefetch.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { testKey, mintToken, unsignedToken, claimsFor, PUBLIC_BASE, type TestKey } from '../support/jwt';
import { buildTestApp } from '../support/app';
import { discoveryResponseSchema } from '../../src/hooks/discovery';
import { DISCOVERY, FEEDBACK, SERVICE, STACK_TRACE, bearer, emptyValues, examplePrefetch, hookBody, postService, productionApp, type Runtime } from './support';

let key: TestKey;
let rt: Runtime;
beforeAll(async () => {
  key = await testKey('ES384');
  rt = productionApp(key, { bodyLimit: '64kb' });
});
afterAll(async () => rt?.close());

const ORIGIN = 'https://ehr.example.org';

describe('transport', () => {
  it('served over plain HTTP on loopback without TLS (TLS is terminated by the deployment); HSTS is still sent', async () => {
    const server = http.createServer(rt.app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${DISCOVERY}`;
      const res = await fetch(url, { headers: { authorization: await bearer(rt, DISCOVERY) } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
      expect(((await res.json()) as { services: unknown[] }).services).toHaveLength(1);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

describe('discovery (production runtime)', () => {
  it('200 {"services": [...]} with hook, id, description, title, prefetch, usageRequirements, hookVersion 1.0; no empty values', async () => {
    const res = await request(rt.app).get(DISCOVERY).set('authorization', await bearer(rt, DISCOVERY));
    expect(res.status).toBe(200);
    expect(discoveryResponseSchema.safeParse(res.body).error).toBeUndefined();
    expect(Object.keys(res.body)).toEqual(['services']);
    const [s] = res.body.services;
    expect(s).toMatchObject({ hook: 'patient-view', id: 'hlh-screen', hookVersion: '1.0' });
    for (const f of ['description', 'title', 'usageRequirements']) expect(typeof s[f] === 'string' && s[f].length > 0).toBe(true);
    expect(Object.keys(s.prefetch).length).toBeGreaterThan(0);
    expect(emptyValues(res.body)).toEqual([]);
  });

  it('prefetch templates use only 2.0 tokens (no date tokens) and stay in the allowed query subset', async () => {
    const res = await request(rt.app).get(DISCOVERY).set('authorization', await bearer(rt, DISCOVERY));
    const ALLOWED = /\{\{\s*(context\.(patientId|userId|encounterId)|user(Practitioner|PractitionerRole|Patient|RelatedPerson)Id)\s*\}\}/g;
    for (const t of Object.values(res.body.services[0].prefetch as Record<string, string>)) {
      const bare = t.replace(ALLOWED, 'X');
      expect(bare).not.toMatch(/\{\{|\}\}/);
      const [p, q] = bare.split('?');
      if (q === undefined) {
        expect(p).toMatch(/^[A-Z][A-Za-z]+\/X$/);
        continue;
      }
      expect(p).toMatch(/^[A-Z][A-Za-z]+$/);
      const names = q.split('&').map((kv) => kv.split('=')[0]!.replace(/:in$/, ''));
      // patient=, token equality (code, or combo-code: Observation.code | component.code, also a token), _count,
      // _sort; a date parameter only with a prefix and never a token.
      for (const n of names) expect({ t, n }).toEqual({ t, n: expect.stringMatching(/^(patient|code|combo-code|_count|_sort|date)$/) });
      if (/_sort=/.test(q)) expect(q).toMatch(/_count=\d+/); // a sorted search is bounded
    }
  });
});

describe('CORS on every route, including the preflight', () => {
  it.each([
    ['discovery', DISCOVERY, 'GET'],
    ['service', SERVICE, 'POST'],
    ['feedback', FEEDBACK, 'POST'],
  ])('OPTIONS preflight on %s: no token needed, 204, allows Authorization and Content-Type, no credentials', async (_n, route, method) => {
    const res = await request(rt.app)
      .options(route)
      .set('Origin', ORIGIN)
      .set('Access-Control-Request-Method', method)
      .set('Access-Control-Request-Headers', 'authorization, content-type');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['access-control-allow-methods']).toContain(method);
    expect(res.headers['access-control-allow-headers']).toMatch(/\bAuthorization\b/);
    expect(res.headers['access-control-allow-headers']).toMatch(/\bContent-Type\b/);
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('actual responses of every route and status carry Access-Control-Allow-Origin (200, 400, 401, 404, 412, 413)', async () => {
    const cases: Array<[string, () => Promise<request.Response>, number]> = [
      ['discovery 200', async () => request(rt.app).get(DISCOVERY).set('authorization', await bearer(rt, DISCOVERY)), 200],
      ['service 200', async () => request(rt.app).post(SERVICE).set('authorization', await bearer(rt, SERVICE)).send(hookBody('p1', { prefetch: nullPrefetch() })), 200],
      ['feedback 200', async () => request(rt.app).post(FEEDBACK).set('authorization', await bearer(rt, FEEDBACK)).send(validFeedback()), 200],
      ['service 400', async () => request(rt.app).post(SERVICE).set('authorization', await bearer(rt, SERVICE)).send({}), 400],
      ['feedback 400', async () => request(rt.app).post(FEEDBACK).set('authorization', await bearer(rt, FEEDBACK)).send({}), 400],
      ['discovery 401', async () => request(rt.app).get(DISCOVERY), 401],
      ['service 401', async () => request(rt.app).post(SERVICE).send({}), 401],
      ['feedback 401', async () => request(rt.app).post(FEEDBACK).send({}), 401],
      ['service 412', async () => request(rt.app).post(SERVICE).set('authorization', await bearer(rt, SERVICE)).send(hookBody('p1')), 412],
      ['service 413', async () => request(rt.app).post(SERVICE).set('authorization', await bearer(rt, SERVICE)).send(hookBody('p1', { pad: 'x'.repeat(70_000) })), 413],
      ['unknown route 404', async () => request(rt.app).get('/nothing'), 404],
    ];
    for (const [name, make, status] of cases) {
      const r = await make();
      expect({ name, status: r.status }).toEqual({ name, status });
      expect({ name, acao: r.headers['access-control-allow-origin'] }).toEqual({ name, acao: '*' });
    }
  });
});

function nullPrefetch(): Record<string, null> {
  return Object.fromEntries(Object.keys(rt.deps.service.prefetch!).map((k) => [k, null]));
}
function validFeedback() {
  return { feedback: [{ card: '9368d37b-283f-44a0-93ea-547cebab93ed', outcome: 'overridden', outcomeTimestamp: '2026-03-15T12:00:00Z' }] };
}

describe('401 carries no detail', () => {
  it('every authentication failure gets the same generic body and WWW-Authenticate: Bearer, naming no reason', async () => {
    const other = await testKey('ES384');
    const tokens: Array<[string, string | undefined]> = [
      ['no header', undefined],
      ['not a JWT', 'Bearer not-a-jwt'],
      ['alg none', `Bearer ${unsignedToken(claimsFor({ aud: `${PUBLIC_BASE}${SERVICE}` }))}`],
      ['wrong key', `Bearer ${await mintToken(other, { aud: `${PUBLIC_BASE}${SERVICE}` })}`],
      ['expired', `Bearer ${await mintToken(key, { aud: `${PUBLIC_BASE}${SERVICE}`, iatOffset: -3600, expOffset: -1800 })}`],
      ['wrong aud', `Bearer ${await mintToken(key, { aud: `${PUBLIC_BASE}${DISCOVERY}` })}`],
      ['unknown iss', `Bearer ${await mintToken(key, { aud: `${PUBLIC_BASE}${SERVICE}`, iss: 'https://evil.example/' })}`],
    ];
    const replay = await mintToken(key, { aud: `${PUBLIC_BASE}${SERVICE}` });
    const first = await request(rt.app).post(SERVICE).set('authorization', `Bearer ${replay}`).send(hookBody('p1', { prefetch: nullPrefetch() }));
    expect(first.status).toBe(200);
    tokens.push(['replayed jti', `Bearer ${replay}`]);
    const bodies = new Set<string>();
    for (const [name, header] of tokens) {
      let r = request(rt.app).post(SERVICE);
      if (header) r = r.set('authorization', header);
      const res = await r.send(hookBody('p1', { prefetch: nullPrefetch() }));
      expect({ name, status: res.status }).toEqual({ name, status: 401 });
      expect(res.headers['www-authenticate']).toBe('Bearer');
      bodies.add(res.text);
    }
    expect([...bodies]).toHaveLength(1);
    const body = JSON.parse([...bodies][0]!) as { resourceType: string; issue: Array<{ diagnostics: string }> };
    expect(body).toEqual({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'login', diagnostics: 'authentication required' }] });
    expect([...bodies][0]).not.toMatch(/\b(expired|signature|audience|aud|issuer|iss|jti|replay|alg|kid|jwt|token)\b/i);
  });
});

describe('no stack traces in any error body', () => {
  it('400 / 401 / 404 / 412 / 413 / 415 from the production runtime, and 500 from a failing pipeline: OperationOutcome, no trace, no internals', async () => {
    const auth = (p: string) => bearer(rt, p);
    const cases: Array<[string, () => Promise<request.Response>, number]> = [
      ['invalid JSON', async () => request(rt.app).post(SERVICE).set('authorization', await auth(SERVICE)).set('content-type', 'application/json').send('{"hook": patient-view'), 400],
      ['schema', async () => request(rt.app).post(SERVICE).set('authorization', await auth(SERVICE)).send({ hook: 'patient-view', context: 1 }), 400],
      ['deep', async () => request(rt.app).post(SERVICE).set('authorization', await auth(SERVICE)).send(hookBody('p1', { extension: { 'a.b': deep(200) } })), 400],
      ['feedback schema', async () => request(rt.app).post(FEEDBACK).set('authorization', await auth(FEEDBACK)).send({ feedback: 'x' }), 400],
      ['401', async () => request(rt.app).post(SERVICE).set('authorization', 'Bearer a.b.c').send({}), 401],
      ['404 service', async () => request(rt.app).post('/cds-services/nope').set('authorization', `Bearer ${await mintToken(key, { aud: `${PUBLIC_BASE}/cds-services/nope` })}`).send(hookBody('p1')), 404],
      ['404 route', async () => request(rt.app).get('/no/such/route'), 404],
      ['412', async () => request(rt.app).post(SERVICE).set('authorization', await auth(SERVICE)).send(hookBody('p1')), 412],
      ['413', async () => request(rt.app).post(SERVICE).set('authorization', await auth(SERVICE)).send(hookBody('p1', { pad: 'x'.repeat(70_000) })), 413],
      ['415', async () => request(rt.app).post(SERVICE).set('authorization', await auth(SERVICE)).set('content-type', 'application/json; charset=koi8-r').send('{}'), 415],
    ];
    for (const [name, make, status] of cases) {
      const res = await make();
      expect({ name, status: res.status }).toEqual({ name, status });
      expect({ name, type: res.headers['content-type'] }).toEqual({ name, type: expect.stringMatching(/json/) });
      expect({ name, rt: res.body.resourceType }).toEqual({ name, rt: 'OperationOutcome' });
      expect({ name, trace: STACK_TRACE.test(res.text) }).toEqual({ name, trace: false });
    }

    const { app } = buildTestApp({
      evaluator: () => {
        const e = new TypeError("Cannot read properties of undefined (reading 'x')");
        e.stack = `TypeError: boom\n    at evaluate (/srv/app/src/pipeline/evaluate.ts:42:7)\n    at node_modules/express/lib/router.js:1:1`;
        throw e;
      },
    });
    const res = await request(app).post(SERVICE).send(hookBody('p1', { prefetch: nullPrefetch() }));
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'exception', diagnostics: 'internal error' }] });
    expect(STACK_TRACE.test(res.text)).toBe(false);
    expect(res.text).not.toContain('Cannot read properties');
  });

  it('the stack-trace pattern recognises a real Node stack (so the check above can fail)', () => {
    expect(STACK_TRACE.test(JSON.stringify({ diagnostics: new Error('x').stack }))).toBe(true);
  });
});

function deep(n: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < n; i++) v = { a: v };
  return v;
}

describe('response time (spec SHOULD: well under 500 ms)', () => {
  it('a typical full prefetch (IEC-HS example, critical card) answers with a median well under 500 ms (loose bound; bench/ is the real measure)', async () => {
    const times: number[] = [];
    for (let i = 0; i < 13; i++) {
      const body = hookBody('iec-hs-axicel', { prefetch: examplePrefetch(rt, 'iec-hs-axicel') });
      const started = performance.now();
      const res = await postService(rt, body);
      const ms = performance.now() - started;
      expect(res.status).toBe(200);
      expect(res.body.cards).toHaveLength(1);
      if (i >= 3) times.push(ms); // the first calls warm up FHIRPath and the JIT
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)]!;
    expect(median).toBeLessThan(500);
  });
});
