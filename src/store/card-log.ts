/**
 * Glue between the HTTP shell and the card log: silent mode, Card → CardRecord, feedback item →
 * FeedbackRecord, and the runtime (store + writer + retention + readiness) built from configuration.
 *
 * Nothing here is on the request path's critical section: cards are enqueued after the response is computed,
 * and every failure is logged (without patient data) and counted, never thrown to the caller.
 */
import { randomUUID } from 'node:crypto';
import { createStore, type StoreConfig } from './config';
import { patientKey } from './patient-key';
import { startRetentionJob } from './retention';
import { errorMessage } from './sql-store';
import type { CardIndicator, CardRecord, CardStore, FeedbackRecord } from './types';
import type { ServiceStats } from '../ops/stats';
import { createCardLogWriter, type CardLogWriter, type WriterLogger, type WriterStatus } from './writer';

/** The assessment extension key on cards (src/render/extension.ts). */
const ASSESSMENT_EXTENSION_KEY = 'org.hlh-sentinel.assessment';

export { silentConfigSchema } from './silent';

/** The subset of a CDS Hooks card the log reads. */
interface LoggableCard {
  uuid?: string | undefined;
  summary: string;
  indicator: CardIndicator;
  suggestions?: Array<{ label: string; uuid?: string | undefined }> | undefined;
  extension?: Record<string, unknown> | undefined;
}

const obj = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

interface CardContext {
  serviceId: string;
  hookInstance: string;
  /** The FHIR patient id from the hook context (keyed per config before it is stored). */
  patientId: string | undefined;
  createdAt: Date;
  /** Used when the card carries no assessment extension. */
  knowledgeVersion: string;
  patientIdMode: StoreConfig['patientIdMode'];
  patientIdSecret?: string | undefined;
}

function toCardRecord(card: LoggableCard, ctx: CardContext, silenced: boolean): CardRecord {
  const assessment = obj(card.extension?.[ASSESSMENT_EXTENSION_KEY]);
  return {
    // A card without a uuid cannot receive feedback; it is still logged under a generated id.
    cardUuid: card.uuid ?? randomUUID(),
    serviceId: ctx.serviceId,
    hookInstance: ctx.hookInstance,
    createdAt: ctx.createdAt,
    indicator: card.indicator,
    syndrome: text(assessment?.syndrome),
    triggerClass: text(obj(assessment?.exposure)?.class),
    patientKey: ctx.patientId
      ? patientKey(ctx.patientId, { patientIdMode: ctx.patientIdMode, patientIdSecret: ctx.patientIdSecret })
      : null,
    knowledgeVersion: text(assessment?.knowledgeVersion) ?? ctx.knowledgeVersion,
    assessment: assessment ?? null,
    summary: card.summary,
    suggestions: (card.suggestions ?? []).flatMap((s) => (s.uuid ? [{ uuid: s.uuid, label: s.label }] : [])),
    silenced };
}

/** The subset of a validated feedback item (src/hooks/feedback.ts) the log reads. */
interface LoggableFeedback {
  card: string;
  outcome: 'accepted' | 'overridden';
  acceptedSuggestions?: Array<{ id: string }> | undefined;
  overrideReason?:
    | { reason?: { system?: string | undefined; code: string; display?: string | undefined } | undefined; userComment?: string | undefined }
    | undefined;
  outcomeTimestamp: string;
}

function toFeedbackRecord(item: LoggableFeedback, receivedAt: Date): FeedbackRecord {
  const reason = item.overrideReason?.reason;
  return {
    cardUuid: item.card,
    outcome: item.outcome,
    acceptedSuggestionIds: (item.acceptedSuggestions ?? []).map((s) => s.id),
    overrideReason: reason ? { system: reason.system ?? null, code: reason.code, display: reason.display ?? null } : null,
    userComment: item.overrideReason?.userComment ?? null,
    outcomeTimestamp: new Date(item.outcomeTimestamp),
    receivedAt };
}

export interface CardLogLogger extends WriterLogger {
  info(obj: object, msg?: string): void;
}

interface Readiness {
  ok: boolean;
  body: Record<string, unknown>;
}

export interface CardLogRuntime {
  store: CardStore;
  writer: CardLogWriter;
  logCards(input: {
    cards: { card: LoggableCard; silenced: boolean }[];
    serviceId: string;
    hookInstance: string;
    patientId: string | undefined;
    knowledgeVersion: string;
  }): void;
  /** Commits feedback items (not queued): resolves once they are stored, rejects if they could not be. */
  logFeedback(items: LoggableFeedback[]): Promise<void>;
  /** 200 when the store is migrated, reachable and the writer is not degraded; 503 otherwise. */
  readiness(): Promise<Readiness>;
  /** For `/healthz`: `{ cardLog: 'ok' }`, or what is wrong with it (the service still serves cards). */
  health(): { cardLog: 'ok' | { status: 'degraded'; detail: string; lost: number } };
  /** Stops retention, flushes the writer (bounded) and closes the store. */
  close(timeoutMs?: number): Promise<void>;
}

/**
 * Builds the store from config, migrates it in the background (retrying every 30 s while the database is
 * unreachable, so the service starts and answers hooks regardless), and starts retention.
 */
// eslint-disable-next-line max-lines-per-function -- a factory of small closures over the runtime's store, writer and retention timer
export function createCardLogRuntime(
  config: StoreConfig,
  logger: CardLogLogger,
  options: { now?: () => Date; store?: CardStore; stats?: ServiceStats } = {},
): CardLogRuntime {
  const now = options.now ?? (() => new Date());
  const store = options.store ?? createStore(config, (message) => logger.warn({ err: message }, 'card log pool error'));
  let migrated = false;
  let migrationError: string | null = null;
  let closed = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let migrating: Promise<void> | null = null;

  const migrate = (): Promise<void> => {
    migrating ??= store
      .migrate()
      .then((applied) => {
        migrated = true;
        migrationError = null;
        if (applied.length) logger.info({ applied, store: store.kind }, 'card log schema migrated');
      })
      .catch((err: unknown) => {
        migrationError = errorMessage(err);
        logger.error({ err: migrationError, store: store.kind }, 'card log migration failed; retrying in 30 s');
        if (!closed && !retryTimer) {
          retryTimer = setTimeout(() => {
            retryTimer = undefined;
            void migrate().catch(() => undefined);
          }, 30_000);
          retryTimer.unref();
        }
        throw err;
      })
      .finally(() => {
        if (!migrated) migrating = null;
      });
    return migrating;
  };
  void migrate().catch(() => undefined);

  // Writes wait for the schema; while it cannot be created they fail (and are counted).
  const ready = async (): Promise<void> => {
    if (!migrated) await migrate();
  };
  const writeStore: CardStore = {
    kind: store.kind,
    migrate: () => store.migrate(),
    recordCards: async (r) => (await ready(), store.recordCards(r)),
    recordFeedback: async (f) => (await ready(), store.recordFeedback(f)),
    purgeOlderThan: async (c) => (await ready(), store.purgeOlderThan(c)),
    health: () => store.health(),
    report: (q) => store.report(q),
    close: () => store.close() };

  const writer = createCardLogWriter(writeStore, {
    maxQueue: config.queueMax,
    batchSize: config.batchSize,
    retryDelaysMs: config.retryDelaysMs,
    logger,
    ...(options.stats ? { stats: options.stats } : {}) });
  const stopRetention = startRetentionJob(writeStore, {
    days: config.retentionDays,
    intervalMs: config.retentionIntervalMs,
    logger });

  return {
    store,
    writer,
    logCards(input) {
      try {
        const createdAt = now();
        const records = input.cards.map(({ card, silenced }) =>
          toCardRecord(
            card,
            {
              serviceId: input.serviceId,
              hookInstance: input.hookInstance,
              patientId: input.patientId,
              createdAt,
              knowledgeVersion: input.knowledgeVersion,
              patientIdMode: config.patientIdMode,
              patientIdSecret: config.patientIdSecret },
            silenced,
          ),
        );
        if (records.length) writer.enqueueCards(records);
      } catch (err) {
        logger.error({ err: errorMessage(err) }, 'card log: could not build card records');
      }
    },
    async logFeedback(items) {
      const records = items.map((i) => toFeedbackRecord(i, now()));
      try {
        await within(writeStore.recordFeedback(records), config.feedbackTimeoutMs, 'feedback not committed');
        writer.noteDirectWrite();
      } catch (err) {
        writer.noteDirectWrite(err);
        throw err;
      }
    },
    health: () => cardLogHealth(store.kind, migrated ? null : (migrationError ?? 'schema migration pending'), writer.status()),
    async readiness() {
      const health = await store.health();
      const status = writer.status();
      const ok = migrated && health.ok && !status.degraded;
      return {
        ok,
        body: {
          status: ok ? 'ok' : 'degraded',
          store: {
            kind: store.kind,
            ok: health.ok,
            detail: migrationError && !migrated ? `migration failed: ${migrationError}` : health.detail,
            degraded: status.degraded,
            lastError: status.lastError,
            ...status.stats } } };
    },
    async close(timeoutMs = 5000) {
      closed = true;
      stopRetention();
      if (retryTimer) clearTimeout(retryTimer);
      await writer.close(timeoutMs);
      await store.close().catch(() => undefined);
    } };
}

/** Resolves like `p`, or rejects with `${what} within ${ms} ms` if it has not settled by then. */
async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The `/healthz` entry: 'ok', or what is wrong (not migrated, or writes failing) and how much was lost. */
function cardLogHealth(kind: string, notReady: string | null, status: WriterStatus): ReturnType<CardLogRuntime['health']> {
  const broken = notReady ? `not ready: ${notReady}` : status.degraded ? `writes failing: ${status.lastError?.message ?? 'unknown error'}` : null;
  if (!broken) return { cardLog: 'ok' };
  const lost = status.stats.failed + status.stats.dropped;
  return { cardLog: { status: 'degraded', detail: `${kind} card log ${broken}; cards are still served, feedback answers 503`, lost } };
}

/** Environment variables of the card log → service config paths (spread into src/config/schema.ts ENV_KEYS). */
export const CARD_LOG_ENV_KEYS: Record<string, string[]> = {
  STORE_KIND: ['store', 'kind'],
  SQLITE_PATH: ['store', 'sqlitePath'],
  DATABASE_URL: ['store', 'postgresUrl'],
  PATIENT_ID_MODE: ['store', 'patientIdMode'],
  PATIENT_ID_SECRET: ['store', 'patientIdSecret'],
  RETENTION_DAYS: ['store', 'retentionDays'],
  STORE_QUEUE_MAX: ['store', 'queueMax'],
  SILENT_MODE: ['silent', 'enabled'],
  SILENT_INDICATORS: ['silent', 'indicators'] };
