/**
 * POST /cds-services/{id}: request validation, prefetch semantics and error bodies
 * (cds-hooks-conformance.md, "Service call").
 */
import request from 'supertest';
import nock from 'nock';
import { buildTestApp, hookRequest, type SpyEvaluator } from '../support/app';
import { issueText } from '../support/issue-text';

const FHIR = 'https://fhir.example.org/r4';
const FHIR_ORIGIN = 'https://fhir.example.org';

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
});
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

/** A prefetch object with every key of the service's templates set to `value(key)`. */
function fullPrefetch(templates: Record<string, string>, value: (key: string) => unknown): Record<string, unknown> {
  return Object.fromEntries(Object.keys(templates).map((k) => [k, value(k)]));
}

const emptyBundle = { resourceType: 'Bundle', type: 'searchset', entry: [] };

describe('request validation → 400 OperationOutcome naming the field', () => {
  const { app } = buildTestApp();
  it.each([
    ['missing hookInstance', hookRequest({ hookInstance: undefined }), 'hookInstance'],
    ['hookInstance not a UUID', hookRequest({ hookInstance: 'abc' }), 'hookInstance'],
    ['missing context', hookRequest({ context: undefined }), 'context'],
    ['missing context.patientId', hookRequest({ context: { userId: 'Practitioner/1' } }), 'context.patientId'],
    ['missing context.userId', hookRequest({ context: { patientId: 'p1' } }), 'context.userId'],
    ['patientId with a path', hookRequest({ context: { userId: 'Practitioner/1', patientId: '../x' } }), 'context.patientId'],
    [
      'fhirAuthorization without fhirServer',
      hookRequest({ fhirAuthorization: { access_token: 't', token_type: 'Bearer', expires_in: 300, scope: 's', subject: 'x' } }),
      'fhirServer',
    ],
    ['prefetch value that is not an object', hookRequest({ prefetch: { patient: 'Patient/1' } }), 'prefetch.patient'],
    ['fhirServer that is not a URL', hookRequest({ fhirServer: 'not a url' }), 'fhirServer'],
  ])('%s', async (_name, body, field) => {
    const res = await request(app).post('/cds-services/hlh-screen').send(body);
    expect(res.status).toBe(400);
    expect(res.body.resourceType).toBe('OperationOutcome');
    const expressions = res.body.issue.flatMap((i: { expression?: string[] }) => i.expression ?? []);
    expect(expressions).toContain(field);
  });

  it('a hook other than patient-view is rejected by name', async () => {
    const res = await request(app).post('/cds-services/hlh-screen').send(hookRequest({ hook: 'order-sign' }));
    expect(res.status).toBe(400);
    expect(res.body.issue[0].diagnostics).toMatch(/order-sign.*patient-view/);
  });

  it('invalid JSON → 400 OperationOutcome, no stack trace', async () => {
    const res = await request(app).post('/cds-services/hlh-screen').set('content-type', 'application/json').send('{"hook":');
    expect(res.status).toBe(400);
    expect(res.body.resourceType).toBe('OperationOutcome');
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.js:\d+/);
  });

  it('a JSON array body → 400', async () => {
    const res = await request(app).post('/cds-services/hlh-screen').send([1, 2]);
    expect(res.status).toBe(400);
  });

  it('unknown service → 404 OperationOutcome', async () => {
    const res = await request(app).post('/cds-services/nope').send(hookRequest());
    expect(res.status).toBe(404);
    expect(res.body.resourceType).toBe('OperationOutcome');
  });

  it('unknown route → 404 OperationOutcome', async () => {
    const res = await request(app).get('/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body.resourceType).toBe('OperationOutcome');
  });
});

describe('prefetch semantics', () => {
  it('every key prefetched → no outbound call, data reaches the pipeline, 200 {"cards": []}', async () => {
    const { app, evaluator, deps } = buildTestApp();
    const templates = deps.service.prefetch!;
    const prefetch = fullPrefetch(templates, (k) => (k === 'patient' ? { resourceType: 'Patient', id: 'pat-1' } : emptyBundle));
    const res = await request(app).post('/cds-services/hlh-screen').send(hookRequest({ prefetch }));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ cards: [] });
    const call = (evaluator as SpyEvaluator).calls[0]!;
    expect(call.data.resources).toContainEqual({ resourceType: 'Patient', id: 'pat-1' });
    expect(Object.values(call.data.sources).every((s) => s === 'prefetch')).toBe(true);
    expect(call.ctx.patientId).toBe('pat-1');
  });

  it('key null → no data, no refetch, no 412 even without fhirServer', async () => {
    const { app, evaluator, deps } = buildTestApp();
    const prefetch = fullPrefetch(deps.service.prefetch!, () => null);
    const res = await request(app).post('/cds-services/hlh-screen').send(hookRequest({ prefetch }));
    expect(res.status).toBe(200);
    const call = (evaluator as SpyEvaluator).calls[0]!;
    expect(call.data.resources).toEqual([]);
    expect(Object.values(call.data.sources).every((s) => s === 'prefetch-null')).toBe(true);
  });

  it('keys absent and no fhirServer → 412 naming each missing key', async () => {
    const { app, deps } = buildTestApp();
    const res = await request(app).post('/cds-services/hlh-screen').send(hookRequest());
    expect(res.status).toBe(412);
    expect(res.body.resourceType).toBe('OperationOutcome');
    const expressions = res.body.issue.flatMap((i: { expression?: string[] }) => i.expression ?? []);
    expect(expressions.sort()).toEqual(Object.keys(deps.service.prefetch!).map((k) => `prefetch.${k}`).sort());
  });

  it('keys absent → fetched from fhirServer with the bearer token, all in parallel', async () => {
    const { app, evaluator, deps } = buildTestApp();
    const templates = deps.service.prefetch!;
    const missing = ['patient', 'conditions'];
    const prefetch = fullPrefetch(templates, () => emptyBundle);
    for (const k of missing) delete prefetch[k];
    const seenAuth: string[] = [];
    const scope = nock(FHIR_ORIGIN)
      .get('/r4/Patient/pat-1')
      .reply(function () {
        seenAuth.push(String(this.req.headers.authorization));
        return [200, { resourceType: 'Patient', id: 'pat-1', birthDate: '1960-01-01' }];
      })
      .get('/r4/Condition')
      .query({ patient: 'Patient/pat-1', _count: '100' })
      .reply(function () {
        seenAuth.push(String(this.req.headers.authorization));
        return [200, { resourceType: 'Bundle', type: 'searchset', entry: [{ resource: { resourceType: 'Condition', id: 'c1' } }] }];
      });
    const res = await request(app)
      .post('/cds-services/hlh-screen')
      .send(
        hookRequest({
          prefetch,
          fhirServer: FHIR,
          fhirAuthorization: { access_token: 'secret-token-123', token_type: 'Bearer', expires_in: 300, scope: 'user/*.read', subject: 'svc' },
        }),
      );
    expect(res.status).toBe(200);
    expect(scope.isDone()).toBe(true);
    expect(seenAuth).toEqual(['Bearer secret-token-123', 'Bearer secret-token-123']);
    const call = (evaluator as SpyEvaluator).calls[0]!;
    expect(call.data.sources.patient).toBe('fetched');
    expect(call.data.sources.conditions).toBe('fetched');
    expect(call.data.resources).toContainEqual(expect.objectContaining({ resourceType: 'Patient', birthDate: '1960-01-01' }));
  });

  it('a failed fallback fetch → 412 naming the key, not 500', async () => {
    const { app, deps } = buildTestApp();
    const prefetch = fullPrefetch(deps.service.prefetch!, () => emptyBundle);
    delete prefetch.patient;
    nock(FHIR_ORIGIN).get('/r4/Patient/pat-1').reply(500, 'boom');
    const res = await request(app).post('/cds-services/hlh-screen').send(hookRequest({ prefetch, fhirServer: FHIR }));
    expect(res.status).toBe(412);
    expect(res.body.issue[0].expression).toEqual(['prefetch.patient']);
    expect(res.body.issue[0].diagnostics).toMatch(/HTTP 500/);
  });

  it('an OperationOutcome in the prefetch → no crash, a data issue for the card, no refetch by default', async () => {
    const { app, evaluator, deps } = buildTestApp();
    const prefetch = fullPrefetch(deps.service.prefetch!, () => emptyBundle);
    prefetch.conditions = { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'forbidden', diagnostics: 'no access' }] };
    const res = await request(app).post('/cds-services/hlh-screen').send(hookRequest({ prefetch, fhirServer: FHIR }));
    expect(res.status).toBe(200);
    const call = (evaluator as SpyEvaluator).calls[0]!;
    expect(call.data.sources.conditions).toBe('prefetch-failed');
    expect(call.data.issues).toEqual([expect.objectContaining({ code: 'prefetch-failed', severity: 'warning' })]);
    expect(issueText(call.data.issues[0]!)).toMatch(/conditions.*no access/);
  });

  it('a Bundle holding only an OperationOutcome is a failed query too', async () => {
    const { app, evaluator, deps } = buildTestApp();
    const prefetch = fullPrefetch(deps.service.prefetch!, () => emptyBundle);
    prefetch.procedures = {
      resourceType: 'Bundle',
      type: 'searchset',
      entry: [{ resource: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'timeout' }] }, search: { mode: 'outcome' } }],
    };
    await request(app).post('/cds-services/hlh-screen').send(hookRequest({ prefetch })).expect(200);
    expect((evaluator as SpyEvaluator).calls[0]!.data.sources.procedures).toBe('prefetch-failed');
  });

  it('with prefetch.onOperationOutcome = refetch, an OperationOutcome key is fetched again', async () => {
    const { app, evaluator, deps } = buildTestApp({ configInput: { prefetch: { onOperationOutcome: 'refetch' } } });
    const prefetch = fullPrefetch(deps.service.prefetch!, () => emptyBundle);
    prefetch.patient = { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'exception' }] };
    const scope = nock(FHIR_ORIGIN).get('/r4/Patient/pat-1').reply(200, { resourceType: 'Patient', id: 'pat-1' });
    await request(app).post('/cds-services/hlh-screen').send(hookRequest({ prefetch, fhirServer: FHIR })).expect(200);
    expect(scope.isDone()).toBe(true);
    expect((evaluator as SpyEvaluator).calls[0]!.data.sources.patient).toBe('fetched');
  });

  it('prefetch keys the service did not ask for are ignored', async () => {
    const { app, evaluator, deps } = buildTestApp();
    const prefetch = { ...fullPrefetch(deps.service.prefetch!, () => null), somethingElse: { resourceType: 'Patient', id: 'other' } };
    await request(app).post('/cds-services/hlh-screen').send(hookRequest({ prefetch })).expect(200);
    expect((evaluator as SpyEvaluator).calls[0]!.data.resources).toEqual([]);
  });
});

describe('transport', () => {
  const { app } = buildTestApp({ configInput: { bodyLimit: '2kb' } });

  it('CORS preflight allows Authorization and Content-Type', async () => {
    const res = await request(app)
      .options('/cds-services/hlh-screen')
      .set('Origin', 'https://ehr.example.org')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization, content-type');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['access-control-allow-headers']).toMatch(/Authorization/);
    expect(res.headers['access-control-allow-headers']).toMatch(/Content-Type/);
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('CORS headers on discovery, service and error responses', async () => {
    for (const r of [request(app).get('/cds-services'), request(app).post('/cds-services/hlh-screen').send({}), request(app).get('/healthz')]) {
      const res = await r.set('Origin', 'https://ehr.example.org');
      expect(res.headers['access-control-allow-origin']).toBe('*');
    }
  });

  it('configured CORS origins: only listed origins are echoed', async () => {
    const { app: app2 } = buildTestApp({ configInput: { cors: { origins: ['https://ehr.example.org'] } } });
    const ok = await request(app2).get('/cds-services').set('Origin', 'https://ehr.example.org');
    expect(ok.headers['access-control-allow-origin']).toBe('https://ehr.example.org');
    const other = await request(app2).get('/cds-services').set('Origin', 'https://evil.example');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('a body over the configured limit → 413 OperationOutcome', async () => {
    const res = await request(app).post('/cds-services/hlh-screen').send(hookRequest({ padding: 'x'.repeat(4000) }));
    expect(res.status).toBe(413);
    expect(res.body.resourceType).toBe('OperationOutcome');
  });

  it('a deeply nested body → 400 OperationOutcome', async () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = { a: deep };
    const { app: app2 } = buildTestApp();
    const res = await request(app2).post('/cds-services/hlh-screen').send(hookRequest({ extension: { deep } }));
    expect(res.status).toBe(400);
    expect(res.body.issue[0].diagnostics).toMatch(/nested/);
  });

  it('__proto__ in the body does not pollute prototypes', async () => {
    const { app: app2 } = buildTestApp();
    const body = `{"hook":"patient-view","__proto__":{"polluted":true},"hookInstance":"d1577c69-dfbe-44ad-ba6d-3e05e953b2ea","context":{"userId":"u","patientId":"p"},"prefetch":{}}`;
    await request(app2).post('/cds-services/hlh-screen').set('content-type', 'application/json').send(body);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('GET /healthz', async () => {
    const res = await request(app).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.knowledgeVersion).toMatch(/\d{4}\./);
  });
});

describe('feedback endpoint', () => {
  const { app } = buildTestApp();
  const item = { card: '9368d37b-283f-44a0-93ea-547cebab93ed', outcome: 'overridden', outcomeTimestamp: '2026-03-15T12:00:00Z' };

  it('accepts the spec shape and counts items', async () => {
    const res = await request(app).post('/cds-services/hlh-screen/feedback').send({ feedback: [item, item] });
    expect(res.status).toBe(200);
    expect(app.locals.feedbackCounters.received).toBe(2);
  });

  it.each([
    ['no feedback array', {}, 'feedback'],
    ['empty feedback array', { feedback: [] }, 'feedback'],
    ['card not a uuid', { feedback: [{ ...item, card: 'x' }] }, 'feedback[0].card'],
    ['unknown outcome', { feedback: [{ ...item, outcome: 'ignored' }] }, 'feedback[0].outcome'],
    ['accepted without acceptedSuggestions', { feedback: [{ ...item, outcome: 'accepted' }] }, 'feedback[0].acceptedSuggestions'],
    ['bad timestamp', { feedback: [{ ...item, outcomeTimestamp: 'yesterday' }] }, 'feedback[0].outcomeTimestamp'],
  ])('400 on %s', async (_n, body, field) => {
    const res = await request(app).post('/cds-services/hlh-screen/feedback').send(body);
    expect(res.status).toBe(400);
    expect(res.body.issue.flatMap((i: { expression?: string[] }) => i.expression ?? [])).toContain(field);
  });

  it('404 for an unknown service', async () => {
    await request(app).post('/cds-services/nope/feedback').send({ feedback: [item] }).expect(404);
  });
});
