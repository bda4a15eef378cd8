/**
 * The store logic shared by SQLite and PostgreSQL: both implementations are this class over a small
 * driver (./sqlite, ./postgres), so they run the same SQL and behave the same.
 *
 * SQL here uses `?` placeholders (the PostgreSQL driver rewrites them to `$n`) and only syntax both
 * engines accept (`ON CONFLICT … DO NOTHING`, `RETURNING`, `CASE WHEN <boolean>`).
 */
import { createHash } from 'node:crypto';
import {
  MIGRATIONS_TABLE_POSTGRES,
  MIGRATIONS_TABLE_SQLITE,
  migrations as allMigrations,
  type Migration,
} from './migrations';
import { aggregateReport, num } from './report-rows';
import type {
  CardRecord,
  CardStore,
  FeedbackRecord,
  FeedbackResult,
  Report,
  ReportQuery,
  StoreHealth,
} from './types';

export type Row = Record<string, unknown>;

export interface SqlExecutor {
  query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs a statement; resolves to the number of rows changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
  /** Runs a parameterless script of one or more statements. */
  exec(script: string): Promise<void>;
}

export interface SqlDriver extends SqlExecutor {
  readonly dialect: 'sqlite' | 'postgres';
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * Natural key of a feedback item, used for idempotency: card uuid, outcome, outcome timestamp
 * (normalised to ISO 8601 UTC with milliseconds), the set of accepted suggestion ids (sorted, de-duplicated)
 * and the override reason's system and code. The user comment, display text and receive time are not part of
 * it: the same item re-sent (e.g. an EHR retry) is stored once. SHA-256 hex of the JSON of those fields.
 */
function feedbackKey(item: FeedbackRecord): string {
  const ids = [...new Set(item.acceptedSuggestionIds)].sort();
  const parts = [
    item.cardUuid,
    item.outcome,
    item.outcomeTimestamp.toISOString(),
    ids,
    item.overrideReason?.system ?? null,
    item.overrideReason?.code ?? null,
  ];
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

export class SqlCardStore implements CardStore {
  readonly kind: 'sqlite' | 'postgres';

  constructor(
    private readonly db: SqlDriver,
    private readonly migrations: readonly Migration[] = allMigrations,
  ) {
    this.kind = db.dialect;
  }

  async migrate(): Promise<number[]> {
    const pg = this.db.dialect === 'postgres';
    return this.db.transaction(async (tx) => {
      if (pg) {
        // Several replicas may start at once: serialise their migrations.
        await tx.query('SELECT pg_advisory_xact_lock(7461766)');
      }
      await tx.exec(pg ? MIGRATIONS_TABLE_POSTGRES : MIGRATIONS_TABLE_SQLITE);
      const done = new Set(
        (await tx.query('SELECT version FROM schema_migrations')).map((r) => num(r.version)),
      );
      const applied: number[] = [];
      for (const m of [...this.migrations].sort((a, b) => a.version - b.version)) {
        if (done.has(m.version)) continue;
        await tx.exec(pg ? m.postgres : m.sqlite);
        await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
          m.version,
          m.name,
          new Date(),
        ]);
        applied.push(m.version);
      }
      return applied;
    });
  }

  async recordCards(records: CardRecord[]): Promise<number> {
    if (records.length === 0) return 0;
    return this.db.transaction(async (tx) => {
      let inserted = 0;
      for (const c of records) {
        const rows = await tx.query(
          `INSERT INTO cards (card_uuid, service_id, hook_instance, created_at, indicator, syndrome, trigger_class,
             patient_key, knowledge_version, summary, assessment, silenced)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (card_uuid) DO NOTHING
           RETURNING card_uuid`,
          [
            c.cardUuid,
            c.serviceId,
            c.hookInstance,
            c.createdAt,
            c.indicator,
            c.syndrome,
            c.triggerClass,
            c.patientKey,
            c.knowledgeVersion,
            c.summary,
            c.assessment === undefined ? null : JSON.stringify(c.assessment),
            c.silenced,
          ],
        );
        if (rows.length === 0) continue;
        inserted++;
        for (const s of c.suggestions) {
          await tx.run(
            `INSERT INTO card_suggestions (card_uuid, suggestion_uuid, label) VALUES (?, ?, ?)
             ON CONFLICT (card_uuid, suggestion_uuid) DO NOTHING`,
            [c.cardUuid, s.uuid, s.label],
          );
        }
        // Feedback that arrived before its card was logged is no longer orphaned.
        await tx.run('UPDATE feedback SET unknown_card = ? WHERE card_uuid = ? AND unknown_card = ?', [
          false,
          c.cardUuid,
          true,
        ]);
      }
      return inserted;
    });
  }

  async recordFeedback(items: FeedbackRecord[]): Promise<FeedbackResult[]> {
    if (items.length === 0) return [];
    return this.db.transaction(async (tx) => {
      const results: FeedbackResult[] = [];
      for (const f of items) {
        const known = (await tx.query('SELECT 1 AS one FROM cards WHERE card_uuid = ?', [f.cardUuid])).length > 0;
        const rows = await tx.query(
          `INSERT INTO feedback (dedup_key, card_uuid, outcome, override_system, override_code, override_display,
             user_comment, outcome_timestamp, received_at, unknown_card)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (dedup_key) DO NOTHING
           RETURNING id`,
          [
            feedbackKey(f),
            f.cardUuid,
            f.outcome,
            f.overrideReason?.system ?? null,
            f.overrideReason?.code ?? null,
            f.overrideReason?.display ?? null,
            f.userComment,
            f.outcomeTimestamp,
            f.receivedAt,
            !known,
          ],
        );
        const inserted = rows[0];
        if (inserted) {
          for (const id of new Set(f.acceptedSuggestionIds)) {
            await tx.run('INSERT INTO feedback_accepted_suggestions (feedback_id, suggestion_uuid) VALUES (?, ?)', [
              inserted.id,
              id,
            ]);
          }
        }
        results.push({ cardUuid: f.cardUuid, status: inserted ? 'stored' : 'duplicate', unknownCard: !known });
      }
      return results;
    });
  }

  async purgeOlderThan(cutoff: Date): Promise<number> {
    return this.db.transaction(async (tx) => {
      const feedback = await tx.run('DELETE FROM feedback WHERE received_at < ?', [cutoff]);
      const cards = await tx.run('DELETE FROM cards WHERE created_at < ?', [cutoff]);
      return feedback + cards;
    });
  }

  async health(): Promise<StoreHealth> {
    try {
      const rows = await this.db.query('SELECT MAX(version) AS v FROM schema_migrations');
      const have = num(rows[0]?.v);
      const want = Math.max(0, ...this.migrations.map((m) => m.version));
      if (have < want) return { ok: false, detail: `${this.kind}: schema v${have}, expected v${want}` };
      return { ok: true, detail: `${this.kind}: schema v${have}` };
    } catch (err) {
      return { ok: false, detail: `${this.kind}: ${errorMessage(err)}` };
    }
  }

  async report(query: ReportQuery): Promise<Report> {
    const conds: string[] = [];
    const params: unknown[] = [];
    if (query.since) {
      conds.push('c.created_at >= ?');
      params.push(query.since);
    }
    if (query.until) {
      conds.push('c.created_at < ?');
      params.push(query.until);
    }
    const where = conds.length ? `WHERE ${conds.join(' AND ')}` : '';
    const group = 'c.syndrome, c.trigger_class, c.indicator';

    const cardRows = await this.db.query(
      `SELECT c.syndrome, c.trigger_class, c.indicator,
         SUM(CASE WHEN c.silenced THEN 0 ELSE 1 END) AS shown,
         SUM(CASE WHEN c.silenced THEN 1 ELSE 0 END) AS silenced
       FROM cards c ${where}
       GROUP BY ${group}`,
      params,
    );
    const feedbackRows = await this.db.query(
      `SELECT c.syndrome, c.trigger_class, c.indicator, f.outcome, f.override_system, f.override_code,
         MAX(f.override_display) AS override_display, COUNT(*) AS n
       FROM feedback f JOIN cards c ON c.card_uuid = f.card_uuid ${where}
       GROUP BY ${group}, f.outcome, f.override_system, f.override_code`,
      params,
    );
    const suggestionRows = await this.db.query(
      `SELECT c.syndrome, c.trigger_class, c.indicator, COALESCE(s.label, a.suggestion_uuid) AS label, COUNT(*) AS n
       FROM feedback_accepted_suggestions a
         JOIN feedback f ON f.id = a.feedback_id
         JOIN cards c ON c.card_uuid = f.card_uuid
         LEFT JOIN card_suggestions s ON s.card_uuid = f.card_uuid AND s.suggestion_uuid = a.suggestion_uuid
       ${where}
       GROUP BY ${group}, COALESCE(s.label, a.suggestion_uuid)`,
      params,
    );
    const unknownConds = ['f.unknown_card = ?', ...conds.map((c) => c.replace('c.created_at', 'f.received_at'))];
    const unknownRows = await this.db.query(
      `SELECT COUNT(*) AS n FROM feedback f WHERE ${unknownConds.join(' AND ')}`,
      [true, ...params],
    );

    const out = aggregateReport(cardRows, feedbackRows, suggestionRows);
    return {
      since: query.since ?? null,
      until: query.until ?? null,
      rows: out,
      unknownCardFeedback: num(unknownRows[0]?.n),
    };
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

/** An error's message only: never the statement parameters (they may hold patient data). */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}
