import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStore, openStore, patientKey, runRetention, startRetentionJob, storeConfigFromEnv, storeConfigSchema } from '../../src/store';
import { card } from './fixtures';

describe('patient key', () => {
  test('raw keeps the id; hmac is HMAC-SHA256 hex, stable per secret', () => {
    expect(patientKey('123', { patientIdMode: 'raw' })).toBe('123');
    const cfg = { patientIdMode: 'hmac' as const, patientIdSecret: 'a-site-secret-of-16+' };
    expect(patientKey('123', cfg)).toMatch(/^[0-9a-f]{64}$/);
    expect(patientKey('123', cfg)).toBe(patientKey('123', cfg));
    expect(patientKey('123', cfg)).not.toBe(patientKey('124', cfg));
    expect(patientKey('123', cfg)).not.toBe(patientKey('123', { ...cfg, patientIdSecret: 'another-secret-16chars' }));
    expect(() => patientKey('123', { patientIdMode: 'hmac' })).toThrow(/patientIdSecret/);
  });

  test('known vector (RFC 4231 test case 2)', () => {
    expect(patientKey('what do ya want for nothing?', { patientIdMode: 'hmac', patientIdSecret: 'Jefe' })).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });
});

describe('store config', () => {
  test('defaults: embedded sqlite file, raw ids, one year retention', () => {
    expect(storeConfigSchema.parse({})).toMatchObject({
      kind: 'sqlite',
      sqlitePath: './data/hlh-sentinel.db',
      patientIdMode: 'raw',
      retentionDays: 365,
      queueMax: 10000,
    });
  });

  test('postgres needs a url; hmac needs a secret', () => {
    expect(() => storeConfigSchema.parse({ kind: 'postgres' })).toThrow(/postgresUrl/);
    expect(() => storeConfigSchema.parse({ patientIdMode: 'hmac' })).toThrow(/patientIdSecret/);
    expect(() => storeConfigSchema.parse({ patientIdMode: 'hmac', patientIdSecret: 'short' })).toThrow();
    expect(() => storeConfigSchema.parse({ kind: 'mongo' })).toThrow();
  });

  test('reads env vars', () => {
    expect(
      storeConfigFromEnv({ STORE_KIND: 'postgres', DATABASE_URL: 'postgresql://x@h/db', RETENTION_DAYS: '30', SQLITE_PATH: '' }),
    ).toMatchObject({ kind: 'postgres', postgresUrl: 'postgresql://x@h/db', retentionDays: 30, sqlitePath: './data/hlh-sentinel.db' });
  });

  test('the default store works without any server and creates its directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hlh-cfg-'));
    try {
      const path = join(dir, 'data', 'hlh-sentinel.db');
      const store = await openStore(storeConfigSchema.parse({ sqlitePath: path }));
      expect(existsSync(path)).toBe(true);
      expect((await store.health()).ok).toBe(true);
      await store.close();
      const mem = createStore(storeConfigSchema.parse({ kind: 'memory' }));
      expect(await mem.migrate()).toEqual([1, 2]);
      await mem.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('retention', () => {
  test('purges records older than the configured days', async () => {
    const store = await openStore(storeConfigSchema.parse({ kind: 'memory' }));
    const now = Date.parse('2026-03-01T00:00:00Z');
    await store.recordCards([
      card({ cardUuid: 'old', createdAt: new Date('2025-12-01T00:00:00Z') }),
      card({ cardUuid: 'new', createdAt: new Date('2026-02-20T00:00:00Z') }),
    ]);
    expect(await runRetention(store, { days: 30, intervalMs: 1000, now: () => now })).toBe(1);
    expect((await store.report({})).rows[0]?.cardsShown).toBe(1);
    await store.close();
  });

  test('the job runs at start, on its interval, and stops', async () => {
    jest.useFakeTimers();
    try {
      const calls: Date[] = [];
      const store = { purgeOlderThan: async (d: Date) => (calls.push(d), 0) } as unknown as Parameters<typeof startRetentionJob>[0];
      const stop = startRetentionJob(store, { days: 1, intervalMs: 60_000, now: () => 86_400_000 * 2 });
      await jest.advanceTimersByTimeAsync(0);
      expect(calls).toEqual([new Date(86_400_000)]);
      await jest.advanceTimersByTimeAsync(120_000);
      expect(calls).toHaveLength(3);
      stop();
      await jest.advanceTimersByTimeAsync(120_000);
      expect(calls).toHaveLength(3);
    } finally {
      jest.useRealTimers();
    }
  });
});
