/**
 * The card log and feedback store: one small interface, two implementations (SQLite embedded default,
 * PostgreSQL for several replicas) that pass the same contract tests (test/store/contract.ts).
 *
 * Times are JS `Date`s at this boundary. Patient identifiers arrive already keyed (see `patientKey` in
 * ./patient-key): the store never pseudonymises on its own, so what the caller passes is what is stored.
 */

export type CardIndicator = 'info' | 'warning' | 'critical';
type FeedbackOutcome = 'accepted' | 'overridden';

/** A suggestion offered on a card, kept so accepted suggestions can be reported by label. */
interface SuggestionRef {
  uuid: string;
  label: string;
}

/** One card the service evaluated (returned, or withheld in silent mode). */
export interface CardRecord {
  cardUuid: string;
  serviceId: string;
  hookInstance: string;
  createdAt: Date;
  indicator: CardIndicator;
  /** e.g. `iec-hs`, `treatment-related-hlh`; null when the card is not syndrome-specific. */
  syndrome: string | null;
  /** The class of exposure/trigger the card was raised for (e.g. `car-t`); null when not applicable. */
  triggerClass: string | null;
  /** Output of `patientKey()` (raw id or HMAC hex), or null when the request had no patient. */
  patientKey: string | null;
  knowledgeVersion: string;
  /** The card's assessment extension, stored as JSON. */
  assessment: unknown;
  summary: string;
  suggestions: SuggestionRef[];
  /** True when the card was evaluated but not returned (silent mode). */
  silenced: boolean;
}

interface OverrideReason {
  system: string | null;
  code: string | null;
  display: string | null;
}

/** One item of a `POST …/feedback` body. */
export interface FeedbackRecord {
  cardUuid: string;
  outcome: FeedbackOutcome;
  acceptedSuggestionIds: string[];
  overrideReason: OverrideReason | null;
  userComment: string | null;
  outcomeTimestamp: Date;
  receivedAt: Date;
}

export interface FeedbackResult {
  cardUuid: string;
  /** `duplicate`: the same item (same natural key, see `feedbackKey`) was already stored. */
  status: 'stored' | 'duplicate';
  /** True when no card with this uuid is in the log (the item is still stored, flagged). */
  unknownCard: boolean;
}

export interface StoreHealth {
  ok: boolean;
  detail: string;
}

export interface ReportQuery {
  /** Inclusive lower bound on the card's creation time. */
  since?: Date;
  /** Exclusive upper bound on the card's creation time. */
  until?: Date;
}

interface ReasonCount {
  system: string | null;
  /** null: overridden without a coded reason. */
  code: string | null;
  display: string | null;
  count: number;
  /** Share of all feedback items in the row, 0–100, one decimal. */
  pct: number;
}

interface SuggestionCount {
  /** The suggestion's label, or its uuid when the card did not record it. */
  label: string;
  count: number;
}

/**
 * One group of the report: syndrome × trigger class × indicator over cards created in the window.
 * Feedback is counted per feedback item (a card may receive several) for the cards of the group.
 */
export interface ReportRow {
  syndrome: string | null;
  triggerClass: string | null;
  indicator: CardIndicator;
  cardsShown: number;
  cardsSilenced: number;
  feedbackReceived: number;
  accepted: number;
  overridden: number;
  /** accepted / feedbackReceived × 100, one decimal; null when no feedback. */
  acceptedPct: number | null;
  overriddenPct: number | null;
  overrideReasons: ReasonCount[];
  acceptedSuggestions: SuggestionCount[];
}

export interface Report {
  since: Date | null;
  until: Date | null;
  rows: ReportRow[];
  /** Feedback items received in the window for cards that are not in the log. */
  unknownCardFeedback: number;
}

export interface CardStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Applies pending migrations in one transaction; a no-op when up to date. Returns versions applied. */
  migrate(): Promise<number[]>;
  /** Inserts cards; a card uuid already present is left unchanged (retries are safe). Returns rows inserted. */
  recordCards(records: CardRecord[]): Promise<number>;
  recordFeedback(items: FeedbackRecord[]): Promise<FeedbackResult[]>;
  /** Deletes cards created and feedback received before `cutoff`. Returns rows deleted (cards + feedback). */
  purgeOlderThan(cutoff: Date): Promise<number>;
  health(): Promise<StoreHealth>;
  report(query: ReportQuery): Promise<Report>;
  close(): Promise<void>;
}
