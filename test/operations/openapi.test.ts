/**
 * GET /openapi.json describes every route Express serves and every status code they answer: routes are read
 * from the app's router, so a new route without a description fails here; statuses are collected by driving
 * each operation through its outcomes and by reading the status literals in the HTTP shell's source.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Express } from 'express';
import request from 'supertest';
import { APP_VERSION } from '../../src/version';
import { ROUTES } from '../../src/http/routes';
import { DISCOVERY, FEEDBACK, SERVICE, bearer, examplePrefetch, hookBody, productionApp, type Runtime } from '../conformance/support';
import { testKey } from '../support/jwt';

type Doc = { openapi: string; info: { version: string }; paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };

const root = path.resolve(__dirname, '../..');

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every (method, path) the app routes, with Express `:param` written as OpenAPI `{param}`. */
function expressRoutes(app: Express): string[] {
  const out: string[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const [method, on] of Object.entries(layer.route.methods)) {
          if (on && method !== '_all') out.push(`${method.toUpperCase()} ${layer.route.path.replace(/:(\w+)/g, '{$1}')}`);
        }
      } else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return [...new Set(out)].sort();
}

function documented(doc: Doc): string[] {
  return Object.entries(doc.paths)
    .flatMap(([p, ops]) => Object.keys(ops).filter((m) => m !== 'options').map((m) => `${m.toUpperCase()} ${p}`))
    .sort();
}

describe('OpenAPI description', () => {
  let rt: Runtime;
  let doc: Doc;
  beforeAll(async () => {
    rt = productionApp(await testKey('ES384'));
    const res = await request(rt.app).get('/openapi.json');
    expect(res.status).toBe(200);
    doc = res.body as Doc;
  });
  afterAll(() => rt.close());

  it('is OpenAPI 3.1 with the app version, and every $ref resolves', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toBe(APP_VERSION);
    const refs = JSON.stringify(doc).match(/"\$ref":"#\/[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(5);
    for (const r of refs) {
      const target = r.slice(9, -1).split('/').slice(1).reduce<unknown>((node, k) => (node as Record<string, unknown> | undefined)?.[k], doc);
      expect([r, target]).toEqual([r, expect.anything()]);
    }
  });

  it('describes exactly the routes the app serves', () => {
    const served = expressRoutes(rt.app);
    expect(served).toContain('POST /cds-services/{id}');
    expect(served).toEqual(documented(doc));
    expect(Object.keys(doc.paths).sort()).toEqual(Object.values(ROUTES).sort());
  });

  /** The operation a request belongs to, and the status it got. */
  async function outcome(method: 'get' | 'post' | 'options', route: string, res: Promise<request.Response> | request.Test) {
    const status = (await res).status;
    return { op: `${method} ${route}`, status: String(status) };
  }

  it('describes every status code each operation answers', async () => {
    const a = rt.app;
    const seen = [
      await outcome('get', ROUTES.discovery, request(a).get(DISCOVERY).set('authorization', await bearer(rt, DISCOVERY))),
      await outcome('get', ROUTES.discovery, request(a).get(DISCOVERY)),
      await outcome('options', ROUTES.discovery, request(a).options(DISCOVERY)),
      await outcome('post', ROUTES.service, request(a).post(SERVICE).set('authorization', await bearer(rt, SERVICE)).send(hookBody('iec-hs-axicel', { prefetch: examplePrefetch(rt, 'iec-hs-axicel') }))),
      await outcome('post', ROUTES.service, request(a).post(SERVICE).set('authorization', await bearer(rt, SERVICE)).send({ hook: 'patient-view' })),
      await outcome('post', ROUTES.service, request(a).post(SERVICE).set('authorization', await bearer(rt, SERVICE)).set('content-type', 'application/json').send('{"hook":')),
      await outcome('post', ROUTES.service, request(a).post(SERVICE).send({})),
      await outcome('post', ROUTES.service, request(a).post('/cds-services/nope').set('authorization', await bearer(rt, '/cds-services/nope')).send(hookBody('x', { prefetch: {} }))),
      await outcome('post', ROUTES.service, request(a).post(SERVICE).set('authorization', await bearer(rt, SERVICE)).send(hookBody('x', { prefetch: {} }))),
      await outcome('post', ROUTES.service, request(a).post(SERVICE).set('authorization', await bearer(rt, SERVICE)).set('content-type', 'application/json').send(`{"x":"${'a'.repeat(11 * 1024 * 1024)}"}`)),
      await outcome('post', ROUTES.service, request(a).post(SERVICE).set('authorization', await bearer(rt, SERVICE)).set('content-type', 'application/json; charset=latin-9').send('{}')),
      await outcome('post', ROUTES.feedback, request(a).post(FEEDBACK).set('authorization', await bearer(rt, FEEDBACK)).send({ feedback: [{ card: '9368d37b-283f-44a0-93ea-547cebab93ed', outcome: 'overridden', outcomeTimestamp: '2026-03-15T12:00:00Z' }] })),
      await outcome('post', ROUTES.feedback, request(a).post(FEEDBACK).set('authorization', await bearer(rt, FEEDBACK)).send({ feedback: [] })),
      await outcome('post', ROUTES.feedback, request(a).post(FEEDBACK).send({})),
      await outcome('post', ROUTES.feedback, request(a).post('/cds-services/nope/feedback').set('authorization', await bearer(rt, '/cds-services/nope/feedback')).send({ feedback: [] })),
      await outcome('get', ROUTES.health, request(a).get(ROUTES.health)),
      await outcome('get', ROUTES.readiness, request(a).get(ROUTES.readiness)),
      await outcome('get', ROUTES.metrics, request(a).get(ROUTES.metrics)),
      await outcome('get', ROUTES.openapi, request(a).get(ROUTES.openapi)),
    ];
    const statuses = new Set(seen.map((s) => s.status));
    for (const s of ['200', '204', '400', '401', '404', '412', '413', '415']) expect(statuses).toContain(s);
    expect(seen.filter((s) => s.status === '200').map((s) => s.op)).toEqual(expect.arrayContaining(['post /cds-services/{id}', 'post /cds-services/{id}/feedback']));
    for (const { op, status } of seen) {
      const [method, route] = op.split(' ') as [string, string];
      expect([op, status, Object.keys(doc.paths[route]![method]!.responses)]).toEqual([op, status, expect.arrayContaining([status])]);
    }
  });

  it('documents every status literal the HTTP shell can send', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const f of readdirSync(dir)) {
        const p = path.join(dir, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith('.ts')) files.push(p);
      }
    };
    for (const d of ['src/http', 'src/security', 'src/observability']) walk(path.join(root, d));
    files.push(path.join(root, 'src/app.ts'), path.join(root, 'src/server.ts'));
    const literal = /(?:sendError|sendOutcome)\(\s*res,\s*(\d{3})|\.status\((\d{3})\)|\?\s*(\d{3})\s*:\s*(\d{3})/g;
    const inSource = new Set<string>();
    for (const f of files) for (const m of readFileSync(f, 'utf8').matchAll(literal)) for (const c of m.slice(1)) if (c) inSource.add(c);
    expect(inSource.size).toBeGreaterThanOrEqual(10);
    const inDoc = new Set(Object.values(doc.paths).flatMap((ops) => Object.values(ops).flatMap((o) => Object.keys(o.responses))));
    // 404 for an unknown path belongs to no route; it is documented on the routes that answer it too.
    expect([...inSource].filter((c) => !inDoc.has(c))).toEqual([]);
  });
});
