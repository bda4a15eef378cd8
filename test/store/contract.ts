/**
 * The one behavioural contract every CardStore implementation must pass (SQLite memory/file, PostgreSQL).
 */
import { createCardLogWriter, type CardStore } from '../../src/store';
import { accepted, card, knownDataSet, overridden } from './fixtures';

export interface StoreHandle {
  store: CardStore;
  /** Opens a second store on the same database (absent for `:memory:`). */
  openAnother?: () => CardStore;
  cleanup(): Promise<void>;
}

export function describeStoreContract(name: string, factory: () => Promise<StoreHandle>): void {
  describe(`CardStore contract: ${name}`, () => {
    let h: StoreHandle;
    let store: CardStore;

    beforeEach(async () => {
      h = await factory();
      store = h.store;
    });

    afterEach(async () => {
      await store.close().catch(() => undefined);
      await h.cleanup();
    });

    test('migrations are versioned and re-running them is a no-op', async () => {
      expect((await store.health()).ok).toBe(false); // not migrated yet
      expect(await store.migrate()).toEqual([1, 2]);
      expect(await store.migrate()).toEqual([]);
      expect(await store.health()).toEqual({ ok: true, detail: `${store.kind}: schema v2` });
    });

    test('concurrent migrate from two connections applies each version once', async () => {
      if (!h.openAnother) return; // an in-memory database cannot be shared
      const other = h.openAnother();
      try {
        const [ra, rb] = await Promise.all([store.migrate(), other.migrate()]);
        expect([...ra, ...rb].sort()).toEqual([1, 2]);
        expect((await other.health()).ok).toBe(true);
      } finally {
        await other.close();
      }
    });

    describe('migrated', () => {
      beforeEach(async () => {
        await store.migrate();
      });

      test('records cards; re-sending a card uuid leaves it unchanged', async () => {
        const cards = [card({ cardUuid: 'X1' }), card({ cardUuid: 'X2', silenced: true, assessment: undefined })];
        expect(await store.recordCards(cards)).toBe(2);
        expect(await store.recordCards([card({ cardUuid: 'X1', indicator: 'info' })])).toBe(0);
        expect(await store.recordCards([])).toBe(0);
        const report = await store.report({});
        expect(report.rows).toHaveLength(1);
        expect(report.rows[0]).toMatchObject({ indicator: 'critical', cardsShown: 1, cardsSilenced: 1 });
      });

      test('the same feedback item sent twice is stored once', async () => {
        await store.recordCards([card({ cardUuid: 'F1' })]);
        const item = overridden('F1', 'not-relevant');
        expect(await store.recordFeedback([item])).toEqual([
          { cardUuid: 'F1', status: 'stored', unknownCard: false },
        ]);
        // a retry with another comment, display and receive time is the same item
        const retry = {
          ...item,
          userComment: 'typed again',
          overrideReason: { system: item.overrideReason?.system ?? null, code: 'not-relevant', display: 'changed' },
          receivedAt: new Date('2026-02-01T00:00:00Z'),
        };
        expect(await store.recordFeedback([retry, item])).toEqual([
          { cardUuid: 'F1', status: 'duplicate', unknownCard: false },
          { cardUuid: 'F1', status: 'duplicate', unknownCard: false },
        ]);
        // accepted ids are a set: order does not matter
        const acc = accepted('F1', ['F1-s2', 'F1-s1']);
        const accSwapped = accepted('F1', ['F1-s1', 'F1-s2', 'F1-s1']);
        const res = await store.recordFeedback([acc, accSwapped]);
        expect(res.map((r) => r.status)).toEqual(['stored', 'duplicate']);
        // a different outcome timestamp or reason code is a new item
        const later = overridden('F1', 'not-relevant', '2026-01-16T09:30:00Z');
        const otherReason = overridden('F1', 'already-aware');
        expect((await store.recordFeedback([later, otherReason])).map((r) => r.status)).toEqual(['stored', 'stored']);
        const row = (await store.report({})).rows[0];
        expect(row).toMatchObject({ feedbackReceived: 4, accepted: 1, overridden: 3 });
        expect(row?.acceptedSuggestions).toEqual([
          { label: 'Consult hematology', count: 1 },
          { label: 'Order ferritin', count: 1 },
        ]);
      });

      test('feedback for an unknown card is stored and flagged, and unflagged once the card is logged', async () => {
        expect(await store.recordFeedback([accepted('LATE', ['LATE-s1'])])).toEqual([
          { cardUuid: 'LATE', status: 'stored', unknownCard: true },
        ]);
        let report = await store.report({});
        expect(report.unknownCardFeedback).toBe(1);
        expect(report.rows).toEqual([]);
        await store.recordCards([card({ cardUuid: 'LATE' })]);
        report = await store.report({});
        expect(report.unknownCardFeedback).toBe(0);
        expect(report.rows[0]).toMatchObject({ feedbackReceived: 1, accepted: 1 });
        expect(report.rows[0]?.acceptedSuggestions).toEqual([{ label: 'Order ferritin', count: 1 }]);
      });

      test('report: exact counts and percentages on the known data set', async () => {
        const data = knownDataSet();
        await store.recordCards(data.cards);
        const results = await store.recordFeedback(data.feedback);
        expect(results.filter((r) => r.status === 'duplicate')).toHaveLength(1);
        expect(results.filter((r) => r.unknownCard)).toHaveLength(1);

        const jan = await store.report({ since: new Date('2026-01-01T00:00:00Z') });
        expect(jan.since?.toISOString()).toBe('2026-01-01T00:00:00.000Z');
        expect(jan.until).toBeNull();
        expect(jan.unknownCardFeedback).toBe(1);
        expect(jan.rows).toEqual([
          {
            syndrome: 'iec-hs',
            triggerClass: 'car-t',
            indicator: 'critical',
            cardsShown: 4,
            cardsSilenced: 1,
            feedbackReceived: 4,
            accepted: 2,
            overridden: 2,
            acceptedPct: 50,
            overriddenPct: 50,
            overrideReasons: [
              {
                system: 'https://hlh-sentinel.example/override-reason',
                code: 'not-relevant',
                display: 'Reason not-relevant',
                count: 1,
                pct: 25,
              },
              { system: null, code: null, display: null, count: 1, pct: 25 },
            ],
            acceptedSuggestions: [
              { label: 'Order ferritin', count: 2 },
              { label: 'Consult hematology', count: 1 },
            ],
          },
          {
            syndrome: 'iec-hs',
            triggerClass: 'car-t',
            indicator: 'info',
            cardsShown: 1,
            cardsSilenced: 2,
            feedbackReceived: 2,
            accepted: 0,
            overridden: 2,
            acceptedPct: 0,
            overriddenPct: 100,
            overrideReasons: [
              {
                system: 'https://hlh-sentinel.example/override-reason',
                code: 'already-aware',
                display: 'Reason already-aware',
                count: 2,
                pct: 100,
              },
            ],
            acceptedSuggestions: [],
          },
        ]);

        const all = await store.report({});
        expect(all.rows).toHaveLength(3);
        expect(all.rows[2]).toMatchObject({
          syndrome: 'treatment-related-hlh',
          triggerClass: null,
          indicator: 'warning',
          cardsShown: 3,
          cardsSilenced: 0,
          feedbackReceived: 3,
          accepted: 1,
          overridden: 2,
          acceptedPct: 33.3,
          overriddenPct: 66.7,
          acceptedSuggestions: [{ label: 'Consult hematology', count: 1 }],
        });
        expect(all.rows[2]?.overrideReasons).toEqual([
          expect.objectContaining({ code: 'not-relevant', count: 2, pct: 66.7 }),
        ]);

        const dec = await store.report({
          since: new Date('2025-12-01T00:00:00Z'),
          until: new Date('2026-01-01T00:00:00Z'),
        });
        expect(dec.rows.map((r) => r.syndrome)).toEqual(['treatment-related-hlh']);
        expect(dec.unknownCardFeedback).toBe(0);
      });

      test('purge deletes cards created and feedback received before the cutoff', async () => {
        const old = new Date('2025-01-01T00:00:00Z');
        await store.recordCards([
          card({ cardUuid: 'OLD1', createdAt: old }),
          card({ cardUuid: 'OLD2', createdAt: old }),
          card({ cardUuid: 'NEW1' }),
        ]);
        await store.recordFeedback([
          { ...accepted('OLD1', ['OLD1-s1']), receivedAt: old },
          accepted('NEW1', ['NEW1-s1']),
        ]);
        expect(await store.purgeOlderThan(new Date('2025-06-01T00:00:00Z'))).toBe(3);
        expect(await store.purgeOlderThan(new Date('2025-06-01T00:00:00Z'))).toBe(0);
        const report = await store.report({});
        expect(report.rows).toHaveLength(1);
        expect(report.rows[0]).toMatchObject({ cardsShown: 1, feedbackReceived: 1, accepted: 1 });
        // the old card is gone, so re-logging it counts as a new insert
        expect(await store.recordCards([card({ cardUuid: 'OLD1', createdAt: old })])).toBe(1);
      });

      test('writer: enqueue returns at once, close flushes everything to the store', async () => {
        const writer = createCardLogWriter(store, { batchSize: 3 });
        const data = knownDataSet();
        writer.enqueueCards(data.cards);
        writer.enqueueFeedback(data.feedback);
        expect(writer.stats().written).toBe(0); // nothing was awaited on the caller's path
        await writer.close();
        expect(writer.stats()).toEqual({ queued: 0, written: 22, failed: 0, dropped: 0 });
        expect(writer.degraded).toBe(false);
        const report = await store.report({});
        expect(report.rows.map((r) => r.cardsShown + r.cardsSilenced)).toEqual([5, 3, 3]);
        expect(report.rows.map((r) => r.feedbackReceived)).toEqual([4, 2, 3]);
      });

      test('writer: a failing database is counted and logged without patient data, never thrown', async () => {
        const errors: string[] = [];
        const logged: unknown[] = [];
        const logger = { warn: (o: object) => logged.push(o), error: (o: object) => logged.push(o) };
        const writer = createCardLogWriter(store, { logger, onError: (e) => errors.push(String(e)) });
        await store.close(); // the database "goes down"
        expect(() => writer.enqueueCards([card({ cardUuid: 'DOWN1', patientKey: 'secret-patient' })])).not.toThrow();
        await writer.flush();
        expect(writer.stats()).toMatchObject({ written: 0, failed: 1, dropped: 0 });
        expect(writer.degraded).toBe(true);
        expect(writer.status().lastError?.message).toEqual(expect.any(String));
        expect(errors).toHaveLength(1);
        expect(JSON.stringify(logged)).not.toContain('secret-patient');
        expect((await store.health()).ok).toBe(false);
      });
    });
  });
}
