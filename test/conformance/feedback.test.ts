/**
 * Conformance: "Feedback" through the production runtime (real auth, card log in memory), using the
 * uuids of a card the service really emitted.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { testKey, mintToken, FIXTURES, PUBLIC_BASE } from '../support/jwt';
import { examplePrefetch, hookBody, postFeedback, postService, productionApp, type Runtime } from './support';

let rt: Runtime;
let card: { uuid: string; suggestions: Array<{ uuid: string }> };
const ts = '2026-03-15T12:05:00Z';

beforeAll(async () => {
  rt = productionApp(await testKey('ES384'));
  const res = await postService(rt, hookBody('iec-hs-axicel', { prefetch: examplePrefetch(rt, 'iec-hs-axicel') }));
  card = res.body.cards[0];
  expect(card.suggestions.length).toBeGreaterThan(0);
});
afterAll(async () => rt?.close());

const expressions = (body: { issue: Array<{ expression?: string[] }> }) => body.issue.flatMap((i) => i.expression ?? []);

describe('feedback endpoint', () => {
  it.each(['feedback-accepted.json', 'feedback-overridden.json', 'feedback-overridden-with-reason.json'])('the spec example %s → 200', async (name) => {
    const body = JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8')) as unknown;
    const res = await postFeedback(rt, body);
    expect(res.status).toBe(200);
  });

  it('the same card reported more than once is accepted every time (separate calls and within one call)', async () => {
    const item = { card: card.uuid, outcome: 'overridden', outcomeTimestamp: ts };
    for (let i = 0; i < 3; i++) {
      const res = await postFeedback(rt, { feedback: [item] });
      expect(res.status).toBe(200);
    }
    const twice = await postFeedback(rt, { feedback: [item, { ...item, outcomeTimestamp: '2026-03-15T12:06:00Z' }] });
    expect(twice.status).toBe(200);
  });

  it('accepted with acceptedSuggestions naming suggestion uuids → 200; accepted twice → 200 twice', async () => {
    const item = { card: card.uuid, outcome: 'accepted', acceptedSuggestions: [{ id: card.suggestions[0]!.uuid }], outcomeTimestamp: ts };
    expect((await postFeedback(rt, { feedback: [item] })).status).toBe(200);
    expect((await postFeedback(rt, { feedback: [item] })).status).toBe(200);
  });

  it.each([
    ['accepted without acceptedSuggestions', { outcome: 'accepted' }, 'feedback[0].acceptedSuggestions'],
    ['accepted with an empty acceptedSuggestions', { outcome: 'accepted', acceptedSuggestions: [] }, 'feedback[0].acceptedSuggestions'],
    ['acceptedSuggestions without id', { outcome: 'accepted', acceptedSuggestions: [{}] }, 'feedback[0].acceptedSuggestions[0].id'],
    ['no outcomeTimestamp', { outcomeTimestamp: undefined }, 'feedback[0].outcomeTimestamp'],
    ['outcomeTimestamp not ISO 8601', { outcomeTimestamp: '15/03/2026' }, 'feedback[0].outcomeTimestamp'],
    ['no card', { card: undefined }, 'feedback[0].card'],
    ['outcome not accepted | overridden', { outcome: 'dismissed' }, 'feedback[0].outcome'],
    ['overrideReason.reason without code', { overrideReason: { reason: { system: 'urn:x', display: 'X' } } }, 'feedback[0].overrideReason.reason.code'],
    ['overrideReason.userComment not a string', { overrideReason: { userComment: 42 } }, 'feedback[0].overrideReason.userComment'],
  ])('400 OperationOutcome on %s, naming the field', async (_n, change, field) => {
    const item = { card: card.uuid, outcome: 'overridden', outcomeTimestamp: ts, ...change };
    const res = await postFeedback(rt, { feedback: [item] });
    expect(res.status).toBe(400);
    expect(res.body.resourceType).toBe('OperationOutcome');
    expect(expressions(res.body)).toContain(field);
  });

  it.each([
    ['a reason Coding (system, code, display) from the card', (r: { system: string; code: string; display: string }) => ({ reason: r })],
    ['a reason and a userComment', (r: { system: string; code: string; display: string }) => ({ reason: r, userComment: 'discussed with attending' })],
    ['a userComment only', () => ({ userComment: 'not now' })],
  ])('overridden with %s → 200', async (_n, make) => {
    const res0 = await postService(rt, hookBody('iec-hs-axicel', { prefetch: examplePrefetch(rt, 'iec-hs-axicel') }));
    const c = res0.body.cards[0] as { uuid: string; overrideReasons: Array<{ system: string; code: string; display: string }> };
    const res = await postFeedback(rt, { feedback: [{ card: c.uuid, outcome: 'overridden', overrideReason: make(c.overrideReasons[0]!), outcomeTimestamp: ts }] });
    expect(res.status).toBe(200);
  });

  it('a feedback item with an extension (reverse-DNS key) is accepted', async () => {
    const res = await postFeedback(rt, { feedback: [{ card: card.uuid, outcome: 'overridden', outcomeTimestamp: ts, extension: { 'com.example.ehr.ui': 'banner' } }] });
    expect(res.status).toBe(200);
  });

  it('feedback for an unknown service → 404 OperationOutcome', async () => {
    const route = '/cds-services/other/feedback';
    const res = await request(rt.app)
      .post(route)
      .set('authorization', `Bearer ${await mintToken(rt.key, { aud: `${PUBLIC_BASE}${route}` })}`)
      .send({ feedback: [{ card: card.uuid, outcome: 'overridden', outcomeTimestamp: ts }] });
    expect(res.status).toBe(404);
    expect(res.body.resourceType).toBe('OperationOutcome');
  });
});
