import fc from 'fast-check';
import { cardsResponseSchema, ownCardSchema } from '../../src/hooks/response';
import type { Hlh2004ItemId, IecHsStatus } from '../../src/criteria/types';
import { HLH2004_ITEM_IDS } from '../../src/criteria/types';
import { loadCardContent } from '../../src/render/content';
import { renderCards } from '../../src/render/cards';
import { EXTENSION_KEY, assessmentExtensionSchema } from '../../src/render/extension';
import { assessment, ferritinItem, seqIds } from './fixtures';
import type { ExposureClass } from '../../src/vocabulary';

const content = loadCardContent();

const classes: ExposureClass[] = ['car-t', 't-cell-engager', 'checkpoint-inhibitor', 'btk-inhibitor', 'lamotrigine', 'tmp-smx'];
const agents = [
  'axicabtagene ciloleucel',
  'ciltacabtagene autoleucel',
  'teclistamab',
  'pembrolizumab',
  'ibrutinib',
  'lamotrigine',
  'a very long free-text medication name from the EHR with many words that goes on and on and on and on and on',
  'x'.repeat(300),
];
const state = fc.constantFrom('met' as const, 'not-met' as const, 'unknown' as const);

const arb = fc.record({
  cls: fc.constantFrom(...classes),
  agent: fc.constantFrom(...agents),
  iec: fc.constantFrom<IecHsStatus>('suggestive', 'watch', 'not-met', 'not-evaluable'),
  ferritin: fc.oneof(fc.integer({ min: 0, max: 2_000_000 }), fc.double({ min: 0, max: 1e7, noNaN: true })),
  comparator: fc.constantFrom(undefined, '>' as const, '>=' as const),
  fibrinogen: fc.double({ min: 0, max: 1e5, noNaN: true }),
  platelets: fc.double({ min: 0, max: 1e6, noNaN: true }),
  hscore: fc.integer({ min: 0, max: 337 }),
  day: fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: undefined }),
  items: fc.tuple(state, state, state, state, state, state, state),
});

describe('summary length and schema over many generated assessments', () => {
  it('every card is valid, has a summary < 140 chars and a valid extension', () => {
    let cards = 0;
    fc.assert(
      fc.property(arb, (g) => {
        const hlh: Partial<Record<Hlh2004ItemId, 'met' | 'not-met' | 'unknown' | ReturnType<typeof ferritinItem>>> = {};
        HLH2004_ITEM_IDS.filter((id) => id !== 'ferritin').forEach((id, i) => (hlh[id] = g.items[i]!));
        hlh.ferritin = ferritinItem(g.ferritin, { ...(g.comparator ? { comparator: g.comparator } : {}) });
        const a = assessment({
          cls: g.cls,
          agent: g.agent,
          iec: g.iec,
          ferritin: g.ferritin,
          fibrinogen: g.fibrinogen,
          platelets: g.platelets,
          hscore: g.hscore,
          hlh,
          exposure: { daysSince: g.day },
        });
        const out = renderCards(a, { patientId: 'p1' }, content, seqIds());
        cardsResponseSchema.parse({ cards: out });
        for (const c of out) {
          cards++;
          ownCardSchema.parse(c);
          expect(c.summary.length).toBeLessThan(140);
          expect(c.summary).not.toMatch(/\d,$|\d\.$/); // never ends inside a number
          assessmentExtensionSchema.parse(c.extension![EXTENSION_KEY]);
        }
      }),
      { numRuns: 600, seed: 20261101 },
    );
    expect(cards).toBeGreaterThan(100);
  });
});
