import { createCardLogWriter, type CardStore } from '../../src/store';
import { card } from './fixtures';

/** A store whose writes wait until released, or fail. */
function fakeStore(opts: { fail?: boolean } = {}) {
  const written: string[] = [];
  const batches: number[] = [];
  let release: () => void = () => undefined;
  let gate: Promise<void> = Promise.resolve();
  const store = {
    kind: 'sqlite',
    recordCards: async (records: { cardUuid: string }[]) => {
      await gate;
      if (opts.fail) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      batches.push(records.length);
      written.push(...records.map((r) => r.cardUuid));
      return records.length;
    },
    recordFeedback: async () => [],
  } as unknown as CardStore;
  return {
    store,
    written,
    batches,
    hold() {
      gate = new Promise((r) => (release = r));
    },
    release: () => release(),
  };
}

describe('card log writer', () => {
  test('enqueue never waits for the store, and writes in batches', async () => {
    const f = fakeStore();
    f.hold();
    const writer = createCardLogWriter(f.store, { batchSize: 2 });
    const t0 = Date.now();
    writer.enqueueCards(['a', 'b', 'c', 'd', 'e'].map((id) => card({ cardUuid: id })));
    expect(Date.now() - t0).toBeLessThan(50);
    expect(writer.stats()).toEqual({ queued: 5, written: 0, failed: 0, dropped: 0 });
    f.release();
    await writer.flush();
    expect(f.written).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(f.batches).toEqual([2, 2, 1]);
    expect(writer.stats()).toEqual({ queued: 0, written: 5, failed: 0, dropped: 0 });
  });

  test('a full queue drops new records and counts them', async () => {
    const f = fakeStore();
    f.hold();
    const warnings: object[] = [];
    const writer = createCardLogWriter(f.store, {
      maxQueue: 3,
      batchSize: 10,
      logger: { warn: (o) => warnings.push(o), error: () => undefined },
    });
    writer.enqueueCards([card({ cardUuid: 'a' }), card({ cardUuid: 'b' })]);
    writer.enqueueCards([card({ cardUuid: 'c' }), card({ cardUuid: 'd' })]);
    writer.enqueueCards([card({ cardUuid: 'e' })]);
    expect(writer.stats()).toMatchObject({ queued: 3, dropped: 2 });
    expect(warnings).toHaveLength(1); // rate-limited
    f.release();
    await writer.close();
    expect(f.written).toEqual(['a', 'b', 'c']);
    writer.enqueueCards([card({ cardUuid: 'late' })]); // after close: dropped, not thrown
    expect(writer.stats()).toEqual({ queued: 0, written: 3, failed: 0, dropped: 3 });
  });

  test('store failures are counted, logged without record contents, and mark the writer degraded for a while', async () => {
    let now = 1_000_000;
    const f = fakeStore({ fail: true });
    const errors: object[] = [];
    const writer = createCardLogWriter(f.store, {
      degradedWindowMs: 30_000,
      now: () => now,
      logger: { warn: () => undefined, error: (o) => errors.push(o) },
      onError: () => {
        throw new Error('a faulty callback is ignored');
      },
    });
    expect(writer.degraded).toBe(false);
    expect(() => writer.enqueueCards([card({ cardUuid: 'x', patientKey: 'MRN-4711' })])).not.toThrow();
    await writer.flush();
    expect(writer.stats()).toMatchObject({ failed: 1, written: 0 });
    expect(writer.degraded).toBe(true);
    expect(writer.status().lastError?.message).toBe('connect ECONNREFUSED 127.0.0.1:5432');
    expect(JSON.stringify(errors)).not.toContain('MRN-4711');
    now += 31_000;
    expect(writer.degraded).toBe(false);
  });

  test('a successful write clears the degraded state', async () => {
    const f = fakeStore({ fail: true });
    const writer = createCardLogWriter(f.store);
    writer.enqueueCards([card({ cardUuid: 'x' })]);
    await writer.flush();
    expect(writer.degraded).toBe(true);
    (f.store as unknown as { recordCards: () => Promise<number> }).recordCards = async () => 1;
    writer.enqueueCards([card({ cardUuid: 'y' })]);
    await writer.flush();
    expect(writer.degraded).toBe(false);
    expect(writer.stats()).toMatchObject({ written: 1, failed: 1 });
  });

  test('close gives up after its timeout when the store hangs', async () => {
    const f = fakeStore();
    f.hold();
    const writer = createCardLogWriter(f.store);
    writer.enqueueCards([card({ cardUuid: 'a' })]);
    const t0 = Date.now();
    await writer.close(100);
    expect(Date.now() - t0).toBeLessThan(1000);
    f.release();
    await writer.flush();
  });
});
