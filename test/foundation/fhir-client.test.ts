/** The bounded FHIR client behind the prefetch fallback, against nock-simulated server faults. */
import nock from 'nock';
import { fetchQuery, FhirFetchError, resolveQueryUrl } from '../../src/fhir/client';

const ORIGIN = 'https://fhir.example.org';
const BASE = `${ORIGIN}/r4`;
const opts = { timeoutMs: 300, maxPages: 3, maxResponseBytes: 64 * 1024 };

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

const page = (n: number, next?: string) => ({
  resourceType: 'Bundle',
  type: 'searchset',
  entry: [{ resource: { resourceType: 'Observation', id: `o${n}` } }],
  ...(next ? { link: [{ relation: 'self', url: `${BASE}/x` }, { relation: 'next', url: next }] } : {}),
});

async function failure(p: Promise<unknown>): Promise<FhirFetchError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof FhirFetchError) return e;
    throw e;
  }
  throw new Error('expected a FhirFetchError');
}

describe('resolveQueryUrl keeps the base path', () => {
  it.each([
    ['https://h/fhir', 'Patient/1', 'https://h/fhir/Patient/1'],
    ['https://h/fhir/', 'Patient/1', 'https://h/fhir/Patient/1'],
    ['https://h/fhir', '/Observation?patient=Patient/1&code=http://loinc.org|2276-4', 'https://h/fhir/Observation?patient=Patient/1&code=http://loinc.org|2276-4'],
  ])('%s + %s', (base, q, expected) => {
    expect(decodeURIComponent(resolveQueryUrl(base, q).href)).toBe(expected);
  });
});

describe('fetchQuery', () => {
  it('reads a resource and sends the bearer token', async () => {
    const scope = nock(ORIGIN, { reqheaders: { authorization: 'Bearer tok' } })
      .get('/r4/Patient/1')
      .reply(200, { resourceType: 'Patient', id: '1' });
    const r = await fetchQuery(BASE, 'Patient/1', { ...opts, accessToken: 'tok' });
    expect(r).toEqual({ resources: [{ resourceType: 'Patient', id: '1' }], pages: 1 });
    expect(scope.isDone()).toBe(true);
  });

  it('follows next links up to the page cap and says it truncated', async () => {
    nock(ORIGIN)
      .get('/r4/Observation').query(true).reply(200, page(1, `${BASE}/Observation?page=2`))
      .get('/r4/Observation').query({ page: '2' }).reply(200, page(2, `${BASE}/Observation?page=3`))
      .get('/r4/Observation').query({ page: '3' }).reply(200, page(3, `${BASE}/Observation?page=4`));
    const r = await fetchQuery(BASE, 'Observation?patient=Patient/1', opts);
    expect(r.pages).toBe(3);
    expect(r.resources).toHaveLength(3);
    expect(r.truncated).toEqual({ term: 'page-cap', params: { max: 3 } });
  });

  it('stops at a next link that loops back', async () => {
    nock(ORIGIN)
      .get('/r4/Observation').query({ patient: 'Patient/1' }).reply(200, page(1, `${BASE}/Observation?page=2`))
      .get('/r4/Observation').query({ page: '2' }).reply(200, page(2, `${BASE}/Observation?patient=Patient/1`));
    const r = await fetchQuery(BASE, 'Observation?patient=Patient/1', { ...opts, maxPages: 10 });
    expect(r.pages).toBe(2);
    expect(r.truncated).toEqual({ term: 'next-link-loop' });
  });

  it('does not follow a next link to another origin (the token would go with it)', async () => {
    nock(ORIGIN).get('/r4/Observation').query(true).reply(200, page(1, 'https://evil.example/steal'));
    const evil = nock('https://evil.example').get('/steal').reply(200, page(2));
    const r = await fetchQuery(BASE, 'Observation?patient=Patient/1', { ...opts, accessToken: 'tok' });
    expect(r.truncated).toEqual({ term: 'next-link-other-origin' });
    expect(evil.isDone()).toBe(false);
  });

  it('does not follow redirects', async () => {
    nock(ORIGIN).get('/r4/Patient/1').reply(302, '', { location: 'https://evil.example/p' });
    const evil = nock('https://evil.example').get('/p').reply(200, { resourceType: 'Patient' });
    const e = await failure(fetchQuery(BASE, 'Patient/1', { ...opts, accessToken: 'tok' }));
    expect(e.kind).toBe('http');
    expect(evil.isDone()).toBe(false);
  });

  it.each([
    [500, 'boom'],
    [401, { resourceType: 'OperationOutcome' }],
    [404, ''],
  ])('HTTP %s → http error with the status', async (status, body) => {
    nock(ORIGIN).get('/r4/Patient/1').reply(status, body);
    const e = await failure(fetchQuery(BASE, 'Patient/1', opts));
    expect(e).toMatchObject({ kind: 'http', status });
  });

  it('times out a server that does not answer', async () => {
    nock(ORIGIN).get('/r4/Patient/1').delay(2000).reply(200, { resourceType: 'Patient' });
    const t0 = Date.now();
    const e = await failure(fetchQuery(BASE, 'Patient/1', opts));
    expect(e.kind).toBe('timeout');
    expect(Date.now() - t0).toBeLessThan(1500);
  });

  it('an overall deadline aborts with kind deadline', async () => {
    nock(ORIGIN).get('/r4/Patient/1').delay(2000).reply(200, { resourceType: 'Patient' });
    const e = await failure(fetchQuery(BASE, 'Patient/1', { ...opts, timeoutMs: 5000, signal: AbortSignal.timeout(100) }));
    expect(e.kind).toBe('deadline');
  });

  it('malformed JSON → invalid-json', async () => {
    nock(ORIGIN).get('/r4/Patient/1').reply(200, '{"resourceType": "Pat', { 'content-type': 'application/fhir+json' });
    expect((await failure(fetchQuery(BASE, 'Patient/1', opts))).kind).toBe('invalid-json');
  });

  it('JSON that is not a FHIR resource → not-fhir', async () => {
    nock(ORIGIN).get('/r4/Patient/1').reply(200, [1, 2, 3]);
    expect((await failure(fetchQuery(BASE, 'Patient/1', opts))).kind).toBe('not-fhir');
  });

  it('a body over the size cap → too-large (declared length)', async () => {
    nock(ORIGIN).get('/r4/Patient/1').reply(200, 'x'.repeat(70 * 1024), { 'content-length': String(70 * 1024) });
    expect((await failure(fetchQuery(BASE, 'Patient/1', opts))).kind).toBe('too-large');
  });

  it('a body over the size cap → too-large (chunked, no length)', async () => {
    const { Readable } = await import('node:stream');
    nock(ORIGIN).get('/r4/Patient/1').reply(200, () => Readable.from((function* () {
      for (let i = 0; i < 100; i++) yield Buffer.alloc(1024, 32);
    })()));
    expect((await failure(fetchQuery(BASE, 'Patient/1', opts))).kind).toBe('too-large');
  });

  it('error messages never contain the access token', async () => {
    nock(ORIGIN).get('/r4/Patient/1').reply(500, 'tok-secret-value');
    const e = await failure(fetchQuery(BASE, 'Patient/1', { ...opts, accessToken: 'tok-secret-value' }));
    expect(e.message).not.toContain('tok-secret-value');
  });
});
