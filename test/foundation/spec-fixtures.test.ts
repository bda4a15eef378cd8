/**
 * The CDS Hooks 2.0.1 specification's own JSON examples (vendored in test/fixtures/cds-hooks-spec from the
 * workplace's ../shared/fixtures/cds-hooks-spec) against this service's schemas: every request passes the request
 * schema, every response/card passes the response schema, every feedback example passes the feedback schema.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES } from '../support/jwt';
import { hookRequestSchema, fhirAuthorizationSchema, patientViewRequestSchema } from '../../src/hooks/request';
import { cardsResponseSchema, actionSchema, overrideReasonSchema } from '../../src/hooks/response';
import { discoveryResponseSchema, serviceDefinitionSchema } from '../../src/hooks/discovery';
import { feedbackRequestSchema } from '../../src/hooks/feedback';

const dir = FIXTURES;
const load = (name: string): unknown => JSON.parse(readFileSync(path.join(dir, name), 'utf8'));

// The suite must pass on a fresh clone, so the examples live in the repository; where the shared originals sit
// beside the project (the workplace and its CI), the copy must not have drifted from them.
const shared = path.resolve(__dirname, '../../../shared/fixtures/cds-hooks-spec');
(existsSync(shared) ? describe : describe.skip)('vendored spec examples', () => {
  it('are byte-identical to ../shared/fixtures/cds-hooks-spec, file for file', () => {
    const names = readdirSync(shared).sort();
    expect(readdirSync(dir).sort()).toEqual(names);
    for (const name of names) expect(readFileSync(path.join(dir, name), 'utf8')).toBe(readFileSync(path.join(shared, name), 'utf8'));
  });
});

describe('spec request examples pass the request schema', () => {
  it.each(['patient-view-request-with-prefetch.json', 'request-with-extension.json'])('%s', (name) => {
    expect(hookRequestSchema.safeParse(load(name)).error).toBeUndefined();
  });

  it('the patient-view example also passes the patient-view schema', () => {
    expect(patientViewRequestSchema.safeParse(load('patient-view-request-with-prefetch.json')).success).toBe(true);
  });

  it('the generic extension example lacks context.patientId, which patient-view requires', () => {
    const r = patientViewRequestSchema.safeParse(load('request-with-extension.json'));
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.'))).toContain('context.patientId');
  });

  it('fhirAuthorization example', () => {
    const doc = load('fhir-authorization.json') as { fhirAuthorization: unknown };
    expect(fhirAuthorizationSchema.safeParse(doc.fhirAuthorization).success).toBe(true);
  });

  it('prefetch example (a template map) passes the discovery prefetch schema', () => {
    const doc = load('prefetch-example.json') as { prefetch: unknown };
    const r = serviceDefinitionSchema.shape.prefetch.safeParse(doc.prefetch);
    expect(r.error).toBeUndefined();
  });
});

describe('spec response examples pass the response schema', () => {
  it.each(['cards-response-empty.json', 'cards-response-links-and-override-reasons.json'])('%s', (name) => {
    expect(cardsResponseSchema.safeParse(load(name)).error).toBeUndefined();
  });

  // Both are abbreviated in the specification itself (fixtures README): the first omits `indicator`,
  // the second snips its resource. Their *shape* is checked field by field instead.
  it('abbreviated autolaunchable-link example: valid apart from the indicator the spec omitted', () => {
    const doc = load('cards-response-autolaunchable-link.json') as { cards: Array<Record<string, unknown>> };
    const r = cardsResponseSchema.safeParse(doc);
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.'))).toEqual(['cards.0.indicator']);
    expect(cardsResponseSchema.safeParse({ cards: doc.cards.map((c) => ({ ...c, indicator: 'info' })) }).success).toBe(true);
  });

  it('abbreviated systemActions example: the action shape is valid', () => {
    const doc = load('response-system-actions.json') as { cards: unknown[]; systemActions: unknown[] };
    expect(cardsResponseSchema.safeParse(doc).success).toBe(true);
  });

  it.each(['action-create.json', 'action-delete.json'])('%s passes the action schema', (name) => {
    expect(actionSchema.safeParse(load(name)).error).toBeUndefined();
  });

  it('override reasons example', () => {
    const doc = load('override-reasons.json') as { overrideReasons?: unknown[] } | unknown[];
    const reasons = Array.isArray(doc) ? doc : (doc.overrideReasons ?? []);
    expect(reasons.length).toBeGreaterThan(0);
    for (const r of reasons) expect(overrideReasonSchema.safeParse(r).error).toBeUndefined();
  });
});

describe('spec discovery and feedback examples', () => {
  it.each(['discovery-response.json', 'discovery-with-extension.json'])('%s', (name) => {
    expect(discoveryResponseSchema.safeParse(load(name)).error).toBeUndefined();
  });

  it.each(['feedback-accepted.json', 'feedback-overridden.json', 'feedback-overridden-with-reason.json'])('%s', (name) => {
    expect(feedbackRequestSchema.safeParse(load(name)).error).toBeUndefined();
  });
});

describe('the response schema enforces what the spec requires', () => {
  const card = { summary: 'x', indicator: 'info', source: { label: 'HLH Sentinel' } };
  it.each([
    ['summary of 140 characters', { ...card, summary: 'a'.repeat(140) }, 'cards.0.summary'],
    ['empty detail', { ...card, detail: '' }, 'cards.0.detail'],
    ['empty links array', { ...card, links: [] }, 'cards.0.links'],
    ['suggestions without selectionBehavior', { ...card, suggestions: [{ label: 'Order' }] }, 'cards.0.selectionBehavior'],
    ['unknown indicator', { ...card, indicator: 'hard-stop' }, 'cards.0.indicator'],
    ['appContext on an absolute link', { ...card, links: [{ label: 'l', url: 'https://x.org', type: 'absolute', appContext: '{}' }] }, 'cards.0.links.0.appContext'],
    ['override reason without display', { ...card, overrideReasons: [{ system: 'urn:x', code: 'a' }] }, 'cards.0.overrideReasons.0.display'],
    ['source without label', { ...card, source: {} }, 'cards.0.source.label'],
  ])('rejects %s', (_name, c, path) => {
    const r = cardsResponseSchema.safeParse({ cards: [c] });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.'))).toContain(path);
  });

  it('accepts a summary of 139 characters', () => {
    expect(cardsResponseSchema.safeParse({ cards: [{ ...card, summary: 'a'.repeat(139) }] }).success).toBe(true);
  });

  it('rejects an empty systemActions list (omit it instead)', () => {
    expect(cardsResponseSchema.safeParse({ cards: [], systemActions: [] }).success).toBe(false);
  });
});

describe('actions', () => {
  it('a card suggestion action needs a description (CDS Hooks 2.0 Action.description is required)', () => {
    const r = actionSchema.safeParse({ type: 'delete', resourceId: 'ServiceRequest/1' });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.'))).toEqual(['description']);
  });

  it('create without a resource is rejected', () => {
    const r = actionSchema.safeParse({ type: 'create', description: 'x' });
    expect(r.error!.issues.map((i) => i.path.join('.'))).toEqual(['resource']);
  });
});
