import { Client } from 'pg';
import { createPostgresStore, toPgPlaceholders } from '../../src/store/postgres';
import { startTestPostgres, type TestPostgres } from '../support/postgres';
import { main } from '../../src/cli/report';
import { describeStoreContract } from './contract';
import { createPostgresReplayStore } from '../../src/security/shared-replay';
import { createTokenVerifier } from '../../src/security/jwt';
import { securityConfigSchema } from '../../src/security/config';
import { mintToken, securityInput, SERVICE_AUD, testKey } from '../support/jwt';
import { EXPECTED_JANUARY_CSV, knownDataSet } from './fixtures';

let pg: TestPostgres | undefined;
let startError: unknown;
let dbSeq = 0;

beforeAll(async () => {
  try {
    pg = await startTestPostgres();
  } catch (err) {
    startError = err;
  }
}, 60_000);

afterAll(async () => {
  await pg?.stop();
}, 30_000);

function server(): TestPostgres {
  if (!pg) {
    // Fail loudly: a Postgres run must never be skipped silently.
    throw startError instanceof Error ? startError : new Error(`PostgreSQL did not start: ${String(startError)}`);
  }
  return pg;
}

/** A fresh database per test on the throwaway server. */
async function freshDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const base = server().url;
  const name = `contract_${process.pid}_${++dbSeq}`;
  const admin = new Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(base);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const c = new Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

test('the test PostgreSQL server is running', () => {
  expect(server().url).toMatch(/^postgres/);
});

describeStoreContract('postgres', async () => {
  const db = await freshDatabase();
  return {
    store: createPostgresStore({ connectionString: db.url }),
    openAnother: () => createPostgresStore({ connectionString: db.url }),
    cleanup: db.drop,
  };
});

describe('postgres store specifics', () => {
  test('rewrites ? placeholders', () => {
    expect(toPgPlaceholders('a = ? AND b = ?')).toBe('a = $1 AND b = $2');
  });

  test('the report CLI reads PostgreSQL and prints the same CSV as for SQLite', async () => {
    const db = await freshDatabase();
    try {
      const store = createPostgresStore({ connectionString: db.url });
      await store.migrate();
      const data = knownDataSet();
      await store.recordCards(data.cards);
      await store.recordFeedback(data.feedback);
      await store.close();
      let out = '';
      const code = await main(['--since', '2026-01-01', '--until', '2026-01-31', '--format', 'csv'], {
        STORE_KIND: 'postgres',
        DATABASE_URL: db.url,
      }, { out: (s) => (out += s), err: (s) => (out += s) });
      expect({ code, out }).toEqual({ code: 0, out: EXPECTED_JANUARY_CSV });
    } finally {
      await db.drop();
    }
  });

  test('an unreachable server: health is not ok and nothing hangs', async () => {
    const store = createPostgresStore({ connectionString: 'postgresql://nobody@127.0.0.1:1/none', connectionTimeoutMs: 500 });
    const health = await store.health();
    expect(health.ok).toBe(false);
    expect(health.detail).toMatch(/^postgres: /);
    await store.close();
  });
});

describe('jti replay guard shared by replicas (STORE_KIND=postgres)', () => {
  test('a token accepted by one replica is refused by every other; unreachable guard → per-process check, counted', async () => {
    const db = await freshDatabase();
    const key = await testKey('ES384');
    const security = securityConfigSchema.parse(securityInput([key]));
    const store = createPostgresStore({ connectionString: db.url });
    await store.migrate();
    await store.close();
    const guards = [createPostgresReplayStore({ connectionString: db.url }), createPostgresReplayStore({ connectionString: db.url })];
    const replicas = guards.map((sharedReplay) => createTokenVerifier(security, { sharedReplay }));
    try {
      const token = await mintToken(key);
      await expect(replicas[0]!.verify(token, SERVICE_AUD)).resolves.toMatchObject({ kind: 'jwt' });
      await expect(replicas[1]!.verify(token, SERVICE_AUD)).rejects.toThrow(/replay, seen by another replica/);
      await expect(replicas[0]!.verify(token, SERVICE_AUD)).rejects.toThrow(/replay/);
      // Many replicas racing for one token: exactly one accepts it.
      const raced = await mintToken(key);
      const more = Array.from({ length: 4 }, () => createTokenVerifier(security, { sharedReplay: guards[1]! }));
      const results = await Promise.allSettled([...replicas, ...more].map((r) => r.verify(raced, SERVICE_AUD)));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      // An expired row is taken over (a jti may be reused once its first token can no longer be accepted).
      const past = new Date(Date.now() - 60_000);
      expect(await guards[0]!.claim('iss\nold', past, new Date(past.getTime() - 1000))).toBe(true);
      expect(await guards[1]!.claim('iss\nold', new Date(Date.now() + 60_000), new Date())).toBe(true);
    } finally {
      await Promise.all(guards.map((g) => g.close()));
      await db.drop();
    }
    const down = createPostgresReplayStore({ connectionString: 'postgresql://nobody@127.0.0.1:1/none', connectionTimeoutMs: 300 });
    const errors: unknown[] = [];
    const alone = createTokenVerifier(security, { sharedReplay: down, onSharedReplayError: (e) => errors.push(e) });
    const token = await mintToken(key);
    await expect(alone.verify(token, SERVICE_AUD)).resolves.toMatchObject({ kind: 'jwt' });
    await expect(alone.verify(token, SERVICE_AUD)).rejects.toThrow(/replay/);
    expect(errors.length).toBeGreaterThanOrEqual(1);
    await down.close();
  }, 30_000);
});
