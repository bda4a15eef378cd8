/**
 * The committee report from the rows of its three grouped queries (cards, feedback, accepted suggestions): one
 * row per syndrome × trigger class × indicator, with percentages of the feedback received. Pure, so both SQL
 * dialects share it and it is testable without a database.
 */
import type { CardIndicator, ReportRow } from './types';

type Row = Record<string, unknown>;

export const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const pct = (part: number, whole: number): number | null => (whole === 0 ? null : Math.round((part / whole) * 1000) / 10);
/** Nulls last, else string order. */
const cmp = (a: string | null, b: string | null): number => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1);
const INDICATOR_RANK: Record<string, number> = { critical: 0, warning: 1, info: 2 };

function emptyRow(r: Row): ReportRow {
  return {
    syndrome: str(r.syndrome),
    triggerClass: str(r.trigger_class),
    indicator: String(r.indicator) as CardIndicator,
    cardsShown: 0,
    cardsSilenced: 0,
    feedbackReceived: 0,
    accepted: 0,
    overridden: 0,
    acceptedPct: null,
    overriddenPct: null,
    overrideReasons: [],
    acceptedSuggestions: [],
  };
}

function addFeedback(row: ReportRow, r: Row): void {
  const n = num(r.n);
  row.feedbackReceived += n;
  if (r.outcome === 'accepted') {
    row.accepted += n;
    return;
  }
  row.overridden += n;
  row.overrideReasons.push({ system: str(r.override_system), code: str(r.override_code), display: str(r.override_display), count: n, pct: 0 });
}

function finish(row: ReportRow): void {
  row.acceptedPct = pct(row.accepted, row.feedbackReceived);
  row.overriddenPct = pct(row.overridden, row.feedbackReceived);
  for (const reason of row.overrideReasons) reason.pct = pct(reason.count, row.feedbackReceived) ?? 0;
  row.overrideReasons.sort((a, b) => b.count - a.count || cmp(a.code, b.code) || cmp(a.system, b.system));
  row.acceptedSuggestions.sort((a, b) => b.count - a.count || cmp(a.label, b.label));
}

export function aggregateReport(cardRows: readonly Row[], feedbackRows: readonly Row[], suggestionRows: readonly Row[]): ReportRow[] {
  const rows = new Map<string, ReportRow>();
  const rowFor = (r: Row): ReportRow => {
    const id = JSON.stringify([str(r.syndrome), str(r.trigger_class), String(r.indicator)]);
    let row = rows.get(id);
    if (!row) rows.set(id, (row = emptyRow(r)));
    return row;
  };
  for (const r of cardRows) {
    const row = rowFor(r);
    row.cardsShown += num(r.shown);
    row.cardsSilenced += num(r.silenced);
  }
  for (const r of feedbackRows) addFeedback(rowFor(r), r);
  for (const r of suggestionRows) rowFor(r).acceptedSuggestions.push({ label: String(r.label), count: num(r.n) });
  const out = [...rows.values()];
  out.forEach(finish);
  return out.sort(
    (a, b) => cmp(a.syndrome, b.syndrome) || cmp(a.triggerClass, b.triggerClass) || (INDICATOR_RANK[a.indicator] ?? 9) - (INDICATOR_RANK[b.indicator] ?? 9),
  );
}
