import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { csvField } from '../../src/cli/report-format';
import { main } from '../../src/cli/report';
import { createSqliteStore } from '../../src/store/sqlite';
import { EXPECTED_JANUARY_CSV, knownDataSet } from './fixtures';

async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  let out = '';
  let err = '';
  const code = await main(argv, env, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

describe('report CLI', () => {
  let dir: string;
  let db: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hlh-report-'));
    db = join(dir, 'cards.db');
    const store = createSqliteStore({ path: db });
    await store.migrate();
    const data = knownDataSet();
    await store.recordCards(data.cards);
    await store.recordFeedback(data.feedback);
    await store.close();
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('CSV of January 2026 from a SQLite file', async () => {
    const r = await run(['--since', '2026-01-01', '--until', '2026-01-31', '--format', 'csv', '--db', db]);
    expect(r).toEqual({ code: 0, out: EXPECTED_JANUARY_CSV, err: '' });
  });

  test('aligned table, store taken from env', async () => {
    const r = await run(['--since', '2025-12-01'], { STORE_KIND: 'sqlite', SQLITE_PATH: db });
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe('Cards created from 2025-12-01T00:00:00.000Z');
    const header = lines[2] ?? '';
    expect(header).toMatch(/^Syndrome\s+Trigger\s+Indicator\s+Shown\s+Silenced\s+Feedback\s+Accepted\s+Acc %/);
    const rows = lines.slice(4, 7);
    expect(rows).toHaveLength(3);
    // columns line up: "Shown" values end where the header's "Shown" ends
    const shownEnd = header.indexOf('Shown') + 'Shown'.length;
    expect(rows.map((l) => l.slice(shownEnd - 1, shownEnd))).toEqual(['4', '1', '3']);
    expect(rows[2]).toMatch(/^treatment-related-hlh\s+warning\s+3\s+0\s+3\s+1\s+33\.3\s+2\s+66\.7/);
    expect(r.out).toContain('Feedback for cards not in the log: 1');
  });

  test('bad arguments exit 2 with a clear message', async () => {
    for (const [argv, msg] of [
      [['--since', '2026-13-01', '--db', db], /--since: not a valid date/],
      [['--since', 'yesterday', '--db', db], /--since: expected YYYY-MM-DD/],
      [['--format', 'xml', '--db', db], /--format: expected table or csv/],
      [['--bogus'], /Unknown option '--bogus'/],
      [['--db', db, '--postgres', 'postgresql://x@h/d'], /mutually exclusive/],
      [['--since', '2026-02-01', '--until', '2026-01-01', '--db', db], /--until must be after --since/],
      [['--db', join(dir, 'missing.db')], /SQLite database not found/],
      [[], /STORE_KIND|store configuration|not found/],
    ] as const) {
      const r = await run([...argv], argv.length === 0 ? { STORE_KIND: 'postgres' } : {});
      expect(r.code).toBe(2);
      expect(r.err).toMatch(msg);
      expect(r.err).toContain('Usage: report');
      expect(r.out).toBe('');
    }
  });

  test('--help', async () => {
    expect(await run(['--help'])).toMatchObject({ code: 0, out: expect.stringContaining('Usage: report') });
  });

  test('CSV quoting per RFC 4180', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
  });

  test.each([
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    ['+1+cmd', `"'+1+cmd"`],
    ['-2+3', `"'-2+3"`],
    ['@SUM(A1)', `"'@SUM(A1)"`],
    ['\t=1', `"'\t=1"`],
    ['\r=1', `"'\r=1"`],
  ])('CSV cell %j that a spreadsheet would run as a formula is written as text', (value, cell) => {
    expect(csvField(value)).toBe(cell);
  });

  test('CSV: a formula in an override reason from the EHR is neutralised in the report', async () => {
    const store = createSqliteStore({ path: db });
    await store.recordFeedback([
      {
        cardUuid: knownDataSet().cards[0]!.cardUuid,
        outcome: 'overridden',
        acceptedSuggestionIds: [],
        overrideReason: { system: 'urn:x', code: '=cmd|"/C calc"!A0', display: null },
        userComment: null,
        outcomeTimestamp: new Date('2026-01-20T10:00:00Z'),
        receivedAt: new Date('2026-01-20T10:00:00Z'),
      },
    ]);
    await store.close();
    const r = await run(['--format', 'csv', '--db', db]);
    expect(r.code).toBe(0);
    const cells = r.out.split('\r\n').flatMap((line) => line.match(/("(?:[^"]|"")*"|[^,]*)/g) ?? []);
    expect(cells.filter((c) => /^"?[=+\-@\t\r]/.test(c))).toEqual([]);
    expect(r.out).toContain(`"'=cmd|""/C calc""!A0`);
  });

  test('the store comes from CONFIG_FILE like the service, environment first, --db before both', async () => {
    const config = join(dir, 'service.json');
    writeFileSync(config, JSON.stringify({ store: { kind: 'sqlite', sqlitePath: db, patientIdMode: 'hmac' } }));
    const fromFile = await run(['--since', '2025-12-01'], { CONFIG_FILE: config });
    expect(fromFile.code).toBe(0);
    expect(fromFile.out).toContain('Feedback for cards not in the log');
    writeFileSync(config, JSON.stringify({ store: { kind: 'sqlite', sqlitePath: join(dir, 'elsewhere.db') } }));
    expect((await run([], { CONFIG_FILE: config })).err).toMatch(/SQLite database not found: .*elsewhere\.db/);
    expect((await run([], { CONFIG_FILE: config, SQLITE_PATH: db })).code).toBe(0);
    expect((await run(['--db', db], { CONFIG_FILE: join(dir, 'missing.json') })).code).toBe(0);
    const bad = await run([], { CONFIG_FILE: join(dir, 'missing.json') });
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/CONFIG_FILE .*missing\.json: cannot read/);
  });
});
