/**
 * Store configuration (zod) and the factory. The embedded default is a SQLite file under ./data, which needs
 * no external server, run in its own thread; `postgres` needs `postgresUrl`; `memory` is an in-memory SQLite
 * database on the calling thread (tests, demos).
 */
import { z } from 'zod';
import { createPostgresStore } from './postgres';
import { createSqliteStore } from './sqlite';
import { createSqliteThreadStore } from './sqlite-thread';
import type { CardStore } from './types';

export const storeConfigSchema = z
  .object({
    kind: z.enum(['sqlite', 'postgres', 'memory']).default('sqlite'),
    sqlitePath: z.string().min(1).default('./data/hlh-sentinel.db'),
    sqliteBusyTimeoutMs: z.coerce.number().int().min(0).default(5000),
    /** Optional cap on the SQLite file in pages (4 KiB); writes past it fail like a full disk and are counted. */
    sqliteMaxPageCount: z.coerce.number().int().min(16).optional(),
    postgresUrl: z.string().min(1).optional(),
    postgresPoolMax: z.coerce.number().int().min(1).max(100).default(5),
    postgresStatementTimeoutMs: z.coerce.number().int().min(100).default(5000),
    postgresConnectionTimeoutMs: z.coerce.number().int().min(100).default(3000),
    patientIdMode: z.enum(['raw', 'hmac']).default('raw'),
    patientIdSecret: z.string().optional(),
    retentionDays: z.coerce.number().int().min(1).default(365),
    retentionIntervalMs: z.coerce.number().int().min(1000).default(6 * 60 * 60 * 1000),
    queueMax: z.coerce.number().int().min(1).default(10_000),
    batchSize: z.coerce.number().int().min(1).default(200),
    /** How long a feedback request waits for its commit before answering 503 (the EHR then retries). */
    feedbackTimeoutMs: z.coerce.number().int().min(100).max(60_000).default(10_000),
    /** Waits before retrying a failed card batch; after the last, its records are counted as lost. */
    retryDelaysMs: z.array(z.coerce.number().int().min(0).max(60_000)).max(10).default([500, 2_000]),
  })
  .superRefine((c, ctx) => {
    if (c.kind === 'postgres' && !c.postgresUrl) {
      ctx.addIssue({ code: 'custom', path: ['postgresUrl'], message: 'postgresUrl is required when kind is postgres' });
    }
    if (c.patientIdMode === 'hmac' && (!c.patientIdSecret || c.patientIdSecret.length < 16)) {
      ctx.addIssue({
        code: 'custom',
        path: ['patientIdSecret'],
        message: 'patientIdSecret of at least 16 characters is required when patientIdMode is hmac',
      });
    }
  });

export type StoreConfig = z.infer<typeof storeConfigSchema>;
type StoreConfigInput = z.input<typeof storeConfigSchema>;

/** Environment variable → config key (the service's config loader may map its own names onto the same keys). */
const STORE_ENV: Record<string, keyof StoreConfigInput> = {
  STORE_KIND: 'kind',
  SQLITE_PATH: 'sqlitePath',
  DATABASE_URL: 'postgresUrl',
  PATIENT_ID_MODE: 'patientIdMode',
  PATIENT_ID_SECRET: 'patientIdSecret',
  RETENTION_DAYS: 'retentionDays',
  STORE_QUEUE_MAX: 'queueMax',
};

export function storeConfigFromEnv(env: NodeJS.ProcessEnv = process.env): StoreConfig {
  const raw: Record<string, string> = {};
  for (const [name, key] of Object.entries(STORE_ENV)) {
    const v = env[name];
    if (v !== undefined && v !== '') raw[key] = v;
  }
  return storeConfigSchema.parse(raw);
}

/** Builds the store; call `migrate()` before use (or use `openStore`). */
export function createStore(config: StoreConfig, onPoolError?: (message: string) => void): CardStore {
  switch (config.kind) {
    case 'memory':
      return createSqliteStore({ path: ':memory:', busyTimeoutMs: config.sqliteBusyTimeoutMs });
    case 'sqlite':
      return createSqliteThreadStore({
        path: config.sqlitePath,
        busyTimeoutMs: config.sqliteBusyTimeoutMs,
        ...(config.sqliteMaxPageCount ? { maxPageCount: config.sqliteMaxPageCount } : {}),
      });
    case 'postgres':
      return createPostgresStore({
        connectionString: config.postgresUrl ?? '',
        poolMax: config.postgresPoolMax,
        statementTimeoutMs: config.postgresStatementTimeoutMs,
        connectionTimeoutMs: config.postgresConnectionTimeoutMs,
        ...(onPoolError ? { onPoolError } : {}),
      });
  }
}

/** Builds the store and applies pending migrations. */
export async function openStore(config: StoreConfig, onPoolError?: (message: string) => void): Promise<CardStore> {
  const store = createStore(config, onPoolError);
  try {
    await store.migrate();
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
  return store;
}
