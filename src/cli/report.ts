/**
 * Card log report for the CDS committee:
 *
 *   node dist/src/cli/report.js --since 2026-01-01 [--until 2026-02-01] [--format table|csv]
 *                               [--db ./data/hlh-sentinel.db | --postgres postgresql://…]
 *
 * Without --db/--postgres the store is the service's: the JSON file named by CONFIG_FILE, overridden by env
 * STORE_KIND, SQLITE_PATH, DATABASE_URL (as the service reads them).
 * Dates are UTC. A date-only `--until` includes that whole day. Exit codes: 0 ok, 2 bad arguments, 1 store error.
 */
import { existsSync } from 'node:fs';
import { loadConfig } from '../config/load';
import { createStore, storeConfigSchema, type StoreConfig } from '../store/config';
import { errorMessage } from '../store/sql-store';
import { toCsv, toTable } from './report-format';
import { HelpRequested, parseCommandLine, UsageError } from './cli-run';

export const USAGE = `Usage: report [--since DATE] [--until DATE] [--format table|csv] [--db PATH | --postgres URL]
  --since DATE     cards created at or after DATE (YYYY-MM-DD or ISO 8601 date-time, UTC)
  --until DATE     cards created before DATE; a date-only value includes that whole day
  --format FORMAT  table (default) or csv
  --db PATH        SQLite database file (default: the service's store: CONFIG_FILE, env SQLITE_PATH,
                   else ./data/hlh-sentinel.db)
  --postgres URL   PostgreSQL connection string (default: the service's store: CONFIG_FILE, env STORE_KIND
                   and DATABASE_URL)
`;

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

export function parseDate(value: string, flag: string, endOfDay: boolean): Date {
  if (!DATE_ONLY.test(value) && !DATE_TIME.test(value)) {
    throw new UsageError(`${flag}: expected YYYY-MM-DD or an ISO 8601 date-time with offset, got "${value}"`);
  }
  const d = new Date(DATE_ONLY.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(d.getTime()) || (DATE_ONLY.test(value) && d.toISOString().slice(0, 10) !== value)) {
    throw new UsageError(`${flag}: not a valid date: "${value}"`);
  }
  if (endOfDay && DATE_ONLY.test(value)) d.setUTCDate(d.getUTCDate() + 1);
  return d;
}

export interface ReportArgs {
  since?: Date;
  until?: Date;
  format: 'table' | 'csv';
  config: StoreConfig;
}

export function parseReportArgs(argv: string[], env: NodeJS.ProcessEnv): ReportArgs {
  const { values: given } = parseCommandLine(
    argv,
    { since: { type: 'string' }, until: { type: 'string' }, format: { type: 'string' }, db: { type: 'string' }, postgres: { type: 'string' } },
    USAGE,
    false,
  );
  const values = { ...given, format: given.format ?? 'table' };
  if (values.format !== 'table' && values.format !== 'csv') {
    throw new UsageError(`--format: expected table or csv, got "${values.format}"`);
  }
  if (values.db !== undefined && values.postgres !== undefined) {
    throw new UsageError('--db and --postgres are mutually exclusive');
  }
  const since = values.since !== undefined ? parseDate(values.since, '--since', false) : undefined;
  const until = values.until !== undefined ? parseDate(values.until, '--until', true) : undefined;
  if (since && until && until <= since) throw new UsageError('--until must be after --since');

  let config: StoreConfig;
  try {
    if (values.db !== undefined) {
      config = storeConfigSchema.parse({ kind: 'sqlite', sqlitePath: values.db });
    } else if (values.postgres !== undefined) {
      config = storeConfigSchema.parse({ kind: 'postgres', postgresUrl: values.postgres });
    } else {
      // The service's configuration (CONFIG_FILE, then the environment); the report never needs the patient-id secret.
      config = loadConfig({ ...env, PATIENT_ID_MODE: 'raw', PATIENT_ID_SECRET: undefined }).store;
    }
  } catch (err) {
    throw new UsageError(`store configuration: ${errorMessage(err)}`);
  }
  if (config.kind === 'memory') throw new UsageError('STORE_KIND=memory has nothing to report on');
  if (config.kind === 'sqlite' && !existsSync(config.sqlitePath)) {
    throw new UsageError(`SQLite database not found: ${config.sqlitePath}`);
  }
  return {
    ...(since ? { since } : {}),
    ...(until ? { until } : {}),
    format: values.format,
    config,
  };
}

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

export async function main(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  io: Io = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) },
): Promise<number> {
  let args: ReportArgs;
  try {
    args = parseReportArgs(argv, env);
  } catch (err) {
    if (err instanceof HelpRequested) {
      io.out(USAGE);
      return 0;
    }
    io.err(`report: ${errorMessage(err).split('\n')[0]}\n\n${USAGE}`);
    return 2;
  }
  const store = createStore(args.config);
  try {
    const health = await store.health();
    if (!health.ok) {
      io.err(`report: store not usable (${health.detail}); has the service run its migrations?\n`);
      return 1;
    }
    const report = await store.report({
      ...(args.since ? { since: args.since } : {}),
      ...(args.until ? { until: args.until } : {}),
    });
    io.out(args.format === 'csv' ? toCsv(report) : toTable(report));
    return 0;
  } catch (err) {
    io.err(`report: ${errorMessage(err)}\n`);
    return 1;
  } finally {
    await store.close().catch(() => undefined);
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
