/**
 * Schema migrations, versioned in the repo. Append only: never edit a released entry, add a new version.
 * `migrate()` applies the missing versions in order inside one transaction and records each in
 * `schema_migrations(version, name, applied_at)`.
 *
 * Time columns: SQLite stores ISO 8601 UTC text with milliseconds (`2026-01-02T03:04:05.000Z`, which sorts
 * lexically); PostgreSQL uses timestamptz. Booleans: SQLite 0/1 integers, PostgreSQL boolean.
 */

export interface Migration {
  version: number;
  name: string;
  sqlite: string;
  postgres: string;
}

export const MIGRATIONS_TABLE_SQLITE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at TEXT NOT NULL
)`;

export const MIGRATIONS_TABLE_POSTGRES = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at TIMESTAMPTZ NOT NULL
)`;

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'card log and feedback',
    sqlite: `
CREATE TABLE cards (
  card_uuid TEXT PRIMARY KEY,
  service_id TEXT NOT NULL,
  hook_instance TEXT NOT NULL,
  created_at TEXT NOT NULL,
  indicator TEXT NOT NULL,
  syndrome TEXT,
  trigger_class TEXT,
  patient_key TEXT,
  knowledge_version TEXT NOT NULL,
  summary TEXT NOT NULL,
  assessment TEXT,
  silenced INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX cards_created_at ON cards (created_at);
CREATE TABLE card_suggestions (
  card_uuid TEXT NOT NULL REFERENCES cards (card_uuid) ON DELETE CASCADE,
  suggestion_uuid TEXT NOT NULL,
  label TEXT NOT NULL,
  PRIMARY KEY (card_uuid, suggestion_uuid)
);
CREATE TABLE feedback (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  dedup_key TEXT NOT NULL UNIQUE,
  card_uuid TEXT NOT NULL,
  outcome TEXT NOT NULL,
  override_system TEXT,
  override_code TEXT,
  override_display TEXT,
  user_comment TEXT,
  outcome_timestamp TEXT NOT NULL,
  received_at TEXT NOT NULL,
  unknown_card INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX feedback_card_uuid ON feedback (card_uuid);
CREATE INDEX feedback_received_at ON feedback (received_at);
CREATE TABLE feedback_accepted_suggestions (
  feedback_id INTEGER NOT NULL REFERENCES feedback (id) ON DELETE CASCADE,
  suggestion_uuid TEXT NOT NULL,
  PRIMARY KEY (feedback_id, suggestion_uuid)
);
`,
    postgres: `
CREATE TABLE cards (
  card_uuid TEXT PRIMARY KEY,
  service_id TEXT NOT NULL,
  hook_instance TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL,
  indicator TEXT NOT NULL,
  syndrome TEXT,
  trigger_class TEXT,
  patient_key TEXT,
  knowledge_version TEXT NOT NULL,
  summary TEXT NOT NULL,
  assessment JSONB,
  silenced BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX cards_created_at ON cards (created_at);
CREATE TABLE card_suggestions (
  card_uuid TEXT NOT NULL REFERENCES cards (card_uuid) ON DELETE CASCADE,
  suggestion_uuid TEXT NOT NULL,
  label TEXT NOT NULL,
  PRIMARY KEY (card_uuid, suggestion_uuid)
);
CREATE TABLE feedback (
  id BIGSERIAL PRIMARY KEY,
  dedup_key TEXT NOT NULL UNIQUE,
  card_uuid TEXT NOT NULL,
  outcome TEXT NOT NULL,
  override_system TEXT,
  override_code TEXT,
  override_display TEXT,
  user_comment TEXT,
  outcome_timestamp TIMESTAMPTZ NOT NULL,
  received_at TIMESTAMPTZ NOT NULL,
  unknown_card BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX feedback_card_uuid ON feedback (card_uuid);
CREATE INDEX feedback_received_at ON feedback (received_at);
CREATE TABLE feedback_accepted_suggestions (
  feedback_id BIGINT NOT NULL REFERENCES feedback (id) ON DELETE CASCADE,
  suggestion_uuid TEXT NOT NULL,
  PRIMARY KEY (feedback_id, suggestion_uuid)
);
`,
  },
  {
    version: 2,
    name: 'shared jti replay guard',
    // Used only with PostgreSQL (src/security/shared-replay.ts); created in SQLite too so both schemas match.
    sqlite: `
CREATE TABLE replay_guard (key TEXT PRIMARY KEY, expires_at TEXT NOT NULL);
CREATE INDEX replay_guard_expires_at ON replay_guard (expires_at);
`,
    postgres: `
CREATE TABLE replay_guard (key TEXT PRIMARY KEY, expires_at TIMESTAMPTZ NOT NULL);
CREATE INDEX replay_guard_expires_at ON replay_guard (expires_at);
`,
  },
];
