/**
 * Conformance: "Cards" and "Transport and JSON" (no empty optional values, reverse-DNS extension keys,
 * systemActions never empty) over EVERY card the service can emit:
 * - all example patients through the production runtime (createRuntime, real auth), with and without an
 *   encounter, and with each prefetch key in turn answered null, as an empty Bundle, as an
 *   OperationOutcome and as a Bundle holding one (these change what the cards say and which they carry);
 * - many generated assessments through the real renderer (fast-check).
 */
import fc from 'fast-check';
import { testKey } from '../support/jwt';
import { loadCardContent } from '../../src/render/content';
import { renderCards } from '../../src/render/cards';
import type { Hlh2004ItemId, IecHsStatus } from '../../src/criteria/types';
import { HLH2004_ITEM_IDS } from '../../src/criteria/types';
import { assessment, ferritinItem } from '../render/fixtures';
import { allUuids, cardViolations, responseViolations } from './card-checks';
import { EXAMPLE_IDS, examplePrefetch, hookBody, postService, productionApp, type Runtime } from './support';
import type { AnalyteId, ExposureClass } from '../../src/vocabulary';

const emptyBundle = { resourceType: 'Bundle', type: 'searchset', total: 0 };
const outcome = { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'forbidden', diagnostics: 'access denied' }] };
const bundleWithOutcome = {
  resourceType: 'Bundle',
  type: 'searchset',
  entry: [{ resource: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'timeout' }] }, search: { mode: 'outcome' } }],
};

let rt: Runtime;
/** Every 200 body the runtime produced, with what produced it. */
const corpus: Array<{ name: string; body: unknown }> = [];

beforeAll(async () => {
  rt = productionApp(await testKey('ES384'));
  const keys = Object.keys(rt.deps.service.prefetch!);
  const variants: Array<[string, (p: Record<string, unknown>) => void]> = [['full', () => undefined]];
  for (const k of keys) {
    variants.push([`${k}=null`, (p) => (p[k] = null)]);
    variants.push([`${k}=empty Bundle`, (p) => (p[k] = emptyBundle)]);
    variants.push([`${k}=OperationOutcome`, (p) => (p[k] = outcome)]);
    variants.push([`${k}=Bundle(OperationOutcome)`, (p) => (p[k] = bundleWithOutcome)]);
  }
  for (const id of EXAMPLE_IDS) {
    for (const [name, mutate] of variants) {
      const prefetch = examplePrefetch(rt, id);
      mutate(prefetch);
      for (const encounterId of name === 'full' ? [undefined, 'enc-1'] : [undefined]) {
        const body = hookBody(id, { prefetch });
        if (encounterId) (body.context as Record<string, unknown>).encounterId = encounterId;
        const res = await postService(rt, body);
        if (res.status !== 200) throw new Error(`${id} ${name}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
        corpus.push({ name: `${id} ${name}${encounterId ? ' +encounter' : ''}`, body: res.body });
      }
    }
  }
}, 120_000);
afterAll(async () => rt?.close());

describe('every response the production runtime gives for the example patients', () => {
  it('the corpus exercises cards with suggestions, override reasons, links, extension and data-issue notes', () => {
    const cards = corpus.flatMap((r) => (r.body as { cards: Array<Record<string, unknown>> }).cards);
    expect(cards.length).toBeGreaterThan(100);
    expect(cards.some((c) => Array.isArray(c.suggestions) && c.suggestions.length > 1)).toBe(true);
    expect(cards.some((c) => Array.isArray(c.overrideReasons))).toBe(true);
    expect(cards.some((c) => Array.isArray(c.links))).toBe(true);
    // every card links to the evidence view (the runtime has a public base URL), ahead of the sources
    expect(cards.every((c) => (c.links as Array<Record<string, unknown>>)[0]?.type === 'smart')).toBe(true);
    expect(cards.some((c) => typeof c.extension === 'object')).toBe(true);
    expect(cards.some((c) => String(c.detail).includes('could not provide'))).toBe(true);
    expect(cards.some((c) => c.indicator === 'critical')).toBe(true);
  });

  it('no violation anywhere: schema, no null/""/[]/{} (deep walk), summary < 140 on one line, uuids, selectionBehavior, override reasons, absolute and smart links (appContext on smart only), reverse-DNS extension keys, no empty systemActions', () => {
    const violations = corpus.flatMap((r) => responseViolations(r.body).map((v) => `${r.name}: ${v}`));
    expect(violations).toEqual([]);
  });

  it('the one sanctioned empty value: nothing to say is exactly {"cards": []}', () => {
    const empty = corpus.filter((r) => (r.body as { cards: unknown[] }).cards.length === 0);
    expect(empty.length).toBeGreaterThan(0);
    for (const r of empty) expect(r.body).toEqual({ cards: [] });
  });

  it('systemActions is never sent (the service has none; an empty list must be omitted)', () => {
    expect(corpus.filter((r) => 'systemActions' in (r.body as object)).map((r) => r.name)).toEqual([]);
  });

  it('every card and suggestion uuid is unique across all responses (feedback refers to them)', () => {
    const uuids = allUuids(corpus.map((r) => r.body));
    expect(uuids.length).toBeGreaterThan(100);
    expect(new Set(uuids).size).toBe(uuids.length);
  });

  it('the same request twice gives new card uuids (a uuid names one card instance)', async () => {
    const prefetch = examplePrefetch(rt, 'iec-hs-axicel');
    const a = await postService(rt, hookBody('iec-hs-axicel', { prefetch }));
    const b = await postService(rt, hookBody('iec-hs-axicel', { prefetch }));
    const ua = allUuids([a.body]);
    const ub = allUuids([b.body]);
    expect(ua.length).toBeGreaterThan(1);
    expect(ua.filter((u) => ub.includes(u))).toEqual([]);
  });
});

const linksOf = (c: Record<string, unknown>) => c.links as Array<Record<string, unknown>>;
const absoluteLink = (c: Record<string, unknown>) => linksOf(c).find((l) => l.type === 'absolute')!;
const smartLink = (c: Record<string, unknown>) => linksOf(c).find((l) => l.type === 'smart')!;

describe('the checks themselves catch what they must (so a green run means something)', () => {
  const good = () => JSON.parse(JSON.stringify((corpus.find((r) => (r.body as { cards: unknown[] }).cards.length)!.body as { cards: unknown[] }).cards[0])) as Record<string, unknown>;

  it.each<[string, (c: Record<string, unknown>) => void, RegExp]>([
    ['null optional field', (c) => (c.detail = null), /detail: null/],
    ['empty string', (c) => ((c.source as Record<string, unknown>).url = ''), /source\.url: empty string/],
    ['empty array', (c) => (c.links = []), /links: empty array/],
    ['empty object', (c) => ((c.extension as Record<string, unknown>)['org.hlh-sentinel.x'] = {}), /empty object/],
    ['summary of 140', (c) => (c.summary = 'x'.repeat(140)), /summary/],
    ['two-line summary', (c) => (c.summary = 'a\nb'), /one line/],
    ['no uuid', (c) => delete c.uuid, /uuid/],
    ['suggestions without selectionBehavior', (c) => delete c.selectionBehavior, /selectionBehavior/],
    ['override reason without display', (c) => delete (c.overrideReasons as Array<Record<string, unknown>>)[0]!.display, /overrideReasons\[0\]\.display/],
    ['appContext on an absolute link', (c) => (absoluteLink(c).appContext = 'x'), /appContext: only allowed on smart links/],
    ['an absolute link turned smart (no app context)', (c) => (absoluteLink(c).type = 'smart'), /appContext: not an evidence view app context/],
    ['a smart link with an unreadable app context', (c) => (smartLink(c).appContext = '{"v":1}'), /appContext: not an evidence view app context/],
    ['an unknown link type', (c) => (absoluteLink(c).type = 'deep'), /absolute or smart only/],
    ['extension key not reverse-DNS', (c) => (c.extension = { assessment: 1 }), /reverse-DNS/],
    ['suggestion without uuid', (c) => delete (c.suggestions as Array<Record<string, unknown>>)[0]!.uuid, /suggestions\[0\]\.uuid/],
  ])('%s', (_n, mutate, expected) => {
    const card = good();
    expect(cardViolations(card)).toEqual([]);
    mutate(card);
    expect(cardViolations(card).join('\n')).toMatch(expected);
  });

  it('an empty systemActions list is a violation', () => {
    expect(responseViolations({ cards: [], systemActions: [] }).join('\n')).toMatch(/systemActions/);
  });
});

describe('generated assessments through the real renderer', () => {
  const content = loadCardContent();
  const classes: ExposureClass[] = ['car-t', 't-cell-engager', 'checkpoint-inhibitor', 'btk-inhibitor', 'lamotrigine', 'tmp-smx'];
  const state = fc.constantFrom('met' as const, 'not-met' as const, 'unknown' as const);
  const analytes: AnalyteId[] = ['ferritin', 'fibrinogen', 'platelets', 'triglycerides', 'alt', 'ast', 'ldh', 'il6', 'scd25', 'crp'];
  const arb = fc.record({
    cls: fc.constantFrom(...classes),
    agent: fc.constantFrom('axicabtagene ciloleucel', 'teclistamab', 'pembrolizumab', 'ibrutinib', 'lamotrigine', 'x'.repeat(200), '<b>[x](javascript:1)</b> | ## h'),
    iec: fc.constantFrom<IecHsStatus>('suggestive', 'watch', 'not-met', 'not-evaluable'),
    ferritin: fc.integer({ min: 0, max: 500_000 }),
    fibrinogen: fc.integer({ min: 0, max: 900 }),
    platelets: fc.integer({ min: 0, max: 900 }),
    hscore: fc.integer({ min: 0, max: 337 }),
    day: fc.option(fc.integer({ min: 0, max: 400 }), { nil: undefined }),
    items: fc.tuple(state, state, state, state, state, state, state),
    missing: fc.subarray(analytes),
    encounter: fc.boolean(),
  });

  it('every card from 400 generated assessments passes every card check; uuids unique', () => {
    let cards = 0;
    let withSuggestions = 0;
    const uuids: string[] = [];
    let n = 0;
    const ids = () => {
      n += 1;
      return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
    };
    fc.assert(
      fc.property(arb, (g) => {
        const hlh: Partial<Record<Hlh2004ItemId, 'met' | 'not-met' | 'unknown' | ReturnType<typeof ferritinItem>>> = {};
        HLH2004_ITEM_IDS.filter((id) => id !== 'ferritin').forEach((id, i) => (hlh[id] = g.items[i]!));
        hlh.ferritin = ferritinItem(g.ferritin);
        const a = assessment({
          cls: g.cls,
          agent: g.agent,
          iec: g.iec,
          ferritin: g.ferritin,
          fibrinogen: g.fibrinogen,
          platelets: g.platelets,
          hscore: g.hscore,
          hlh,
          missing: g.missing,
          exposure: { daysSince: g.day },
        });
        // With an encounter, also with the evidence view's smart link (the production runtime always has it).
        const link = g.encounter ? { evidenceLink: { url: 'https://cds.example.org/evidence/launch', label: 'Open the evidence view' } } : {};
        const out = renderCards(a, { patientId: 'p1', ...(g.encounter ? { encounterId: 'e1' } : {}), now: new Date('2024-05-13T08:00:00Z'), ...link }, content, ids);
        // As sent on the wire.
        const wire = JSON.parse(JSON.stringify({ cards: out })) as { cards: Array<Record<string, unknown>> };
        expect(responseViolations(wire)).toEqual([]);
        cards += wire.cards.length;
        withSuggestions += wire.cards.filter((c) => c.suggestions).length;
        uuids.push(...allUuids([wire]));
      }),
      { numRuns: 400, seed: 20261122 },
    );
    expect(cards).toBeGreaterThan(100);
    expect(withSuggestions).toBeGreaterThan(50);
    expect(new Set(uuids).size).toBe(uuids.length);
  });
});
