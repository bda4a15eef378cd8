/**
 * Card log faults through the production assembly (createRuntime, SQLite file in its own thread): the service
 * starts and serves cards with a garbage or unreadable database file, says so on /readyz (503) and /healthz
 * (200); feedback is answered 200 only once committed, and 503 when the disk is full, the database directory
 * was deleted, or another process holds the write lock — and a held lock never blocks the event loop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import request from 'supertest';
import { createApp, createRuntime, type AppDeps } from '../../src/app';
import { configSchema, type ConfigInput } from '../../src/config/schema';
import { createLogger } from '../../src/log/logger';
import { createSqliteStore } from '../../src/store/sqlite';
import { memoryLog } from '../support/app';
import { card } from '../store/fixtures';

const ROOT = resolve(__dirname, '../..');
let dir: string;
const open: AppDeps[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hlh-cardlog-faults-'));
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((d) => d.close?.()));
  rmSync(dir, { recursive: true, force: true });
});

function runtime(store: NonNullable<ConfigInput['store']>) {
  const config = configSchema.parse({
    logLevel: 'info',
    workers: 0,
    store: { kind: 'sqlite', retryDelaysMs: [], ...store },
    security: { auth: { mode: 'disabled-dev' } },
  });
  const log = memoryLog();
  const deps = createRuntime(config, createLogger('info', log.stream));
  open.push(deps);
  return { app: createApp(deps), deps, log: log.lines };
}

const PREFETCH_NULL = (deps: AppDeps) => Object.fromEntries(Object.keys(deps.service.prefetch ?? {}).map((k) => [k, null]));
const hook = (deps: AppDeps) => ({
  hook: 'patient-view',
  hookInstance: 'd1577c69-dfbe-44ad-ba6d-3e05e953b2ea',
  context: { userId: 'Practitioner/1', patientId: 'pat-1' },
  prefetch: PREFETCH_NULL(deps),
});
let seq = 0;
const feedback = (comment = '') => ({
  feedback: [{ card: `00000000-0000-4000-8000-${String(++seq).padStart(12, '0')}`, outcome: 'overridden', overrideReason: { userComment: comment || undefined }, outcomeTimestamp: '2026-03-15T12:05:00Z' }],
});
const FEEDBACK = '/cds-services/hlh-screen/feedback';

async function until(cond: () => Promise<boolean>, ms = 5000): Promise<void> {
  for (const t0 = Date.now(); Date.now() - t0 < ms; await new Promise((r) => setTimeout(r, 20))) if (await cond()) return;
}

describe('a broken card log never stops the service', () => {
  it.each([
    ['a garbage file', (path: string) => writeFileSync(path, Buffer.alloc(8192, 0x5a)), /not a database/],
    ['a directory where the file should be (unreadable)', (path: string) => mkdirSync(path), /unable to open|directory/i],
  ])('starts with %s: cards served, /readyz 503, /healthz 200 and explains, feedback 503', async (_name, breakIt, why) => {
    const path = join(dir, 'cards.db');
    breakIt(path);
    const { app, deps } = runtime({ sqlitePath: path });
    const res = await request(app).post('/cds-services/hlh-screen').send(hook(deps));
    expect(res.status).toBe(200);
    const ready = await request(app).get('/readyz');
    expect(ready.status).toBe(503);
    expect(JSON.stringify(ready.body)).toMatch(why);
    const health = await request(app).get('/healthz');
    expect(health.status).toBe(200);
    expect(health.body.cardLog).toMatchObject({ status: 'degraded' });
    expect(health.body.cardLog.detail).toMatch(why);
    expect((await request(app).post(FEEDBACK).send(feedback())).status).toBe(503);
  });

  it('a deleted database directory: /readyz 503 and feedback 503 (writes into the unlinked file would be lost)', async () => {
    const path = join(dir, 'db', 'cards.db');
    const { app, deps } = runtime({ sqlitePath: path });
    await until(async () => (await request(app).get('/readyz')).status === 200);
    expect((await request(app).post(FEEDBACK).send(feedback())).status).toBe(200);
    rmSync(join(dir, 'db'), { recursive: true, force: true });
    const fb = await request(app).post(FEEDBACK).send(feedback());
    expect(fb.status).toBe(503);
    const ready = await request(app).get('/readyz');
    expect(ready.status).toBe(503);
    expect(JSON.stringify(ready.body)).toMatch(/removed/);
    expect((await request(app).post('/cds-services/hlh-screen').send(hook(deps))).status).toBe(200);
  });
});

describe('feedback is acknowledged only once committed', () => {
  it('disk full (the file at its size cap): feedback 503, nothing stored half-way, /healthz explains, hooks still answered', async () => {
    const path = join(dir, 'cards.db');
    const seed = createSqliteStore({ path });
    await seed.migrate();
    await seed.recordCards([card({ cardUuid: 'c0' })]);
    await seed.close();
    const db = new Database(path);
    const pages = Number(db.pragma('page_count', { simple: true }));
    db.close();
    const { app, deps } = runtime({ sqlitePath: path, sqliteMaxPageCount: pages });
    await until(async () => (await request(app).get('/readyz')).status === 200);
    // 50 items with 9 KB comments need new pages: the write fails as on a full disk (SQLITE_FULL).
    const many = { feedback: Array.from({ length: 50 }, () => feedback('x'.repeat(9_000)).feedback[0]) };
    const fb = await request(app).post(FEEDBACK).send(many);
    expect(fb.status).toBe(503);
    expect(fb.headers['retry-after']).toBeDefined();
    const check = new Database(path, { readonly: true });
    expect(check.prepare('SELECT COUNT(*) AS n FROM feedback').get()).toEqual({ n: 0 });
    check.close();
    const stats = () => (app.locals.stats as { snapshot(): { counters: Record<string, number> } }).snapshot().counters;
    expect(stats().feedbackCommitFailures).toBe(1);
    expect((await request(app).get('/healthz')).body.cardLog).toMatchObject({ status: 'degraded' });
    expect((await request(app).post('/cds-services/hlh-screen').send(hook(deps))).status).toBe(200);
  });

  it('another process holds the write lock: feedback 503 after the busy timeout, the event loop stays free meanwhile, 200 once released', async () => {
    const path = join(dir, 'cards.db');
    const { app } = runtime({ sqlitePath: path, sqliteBusyTimeoutMs: 1500 });
    await until(async () => (await request(app).get('/readyz')).status === 200);
    const holder = holdLock(path);
    try {
      await new Promise<void>((r, j) => {
        holder.stdout!.once('data', () => r());
        holder.once('exit', (code) => j(new Error(`lock holder exited ${code}`)));
      });
      const t0 = Date.now();
      const delay = monitorEventLoopDelay({ resolution: 10 });
      delay.enable();
      const pending = request(app).post(FEEDBACK).send(feedback());
      await new Promise((r) => setTimeout(r, 200));
      expect((await request(app).get('/healthz')).status).toBe(200);
      const fb = await pending;
      delay.disable();
      expect(fb.status).toBe(503);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(1400);
      // The store thread waited 1.5 s on the lock; the event loop never did (a busy wait here would show ~1.5 s).
      expect(delay.max / 1e6).toBeLessThan(700);
    } finally {
      holder.kill('SIGKILL');
      await new Promise((r) => holder.once('exit', r));
    }
    expect((await request(app).post(FEEDBACK).send(feedback())).status).toBe(200);
  }, 20_000);
});

/** A separate process that opens the database and holds an exclusive write transaction until killed. */
function holdLock(path: string): ChildProcess {
  const code = `const D=require('better-sqlite3');const db=new D(${JSON.stringify(path)});db.exec('BEGIN EXCLUSIVE');process.stdout.write('locked\\n');setInterval(()=>{},1000);`;
  return spawn(process.execPath, ['-e', code], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
}
