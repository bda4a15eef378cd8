/** Renders a card log report as an aligned terminal table or as CSV (RFC 4180). */
import type { Report, ReportRow } from '../store/types';

const COLUMNS = [
  'syndrome',
  'trigger_class',
  'indicator',
  'cards_shown',
  'cards_silenced',
  'feedback',
  'accepted',
  'accepted_pct',
  'overridden',
  'overridden_pct',
  'override_reasons',
  'accepted_suggestions',
] as const;

const NUMERIC = new Set<string>([
  'cards_shown',
  'cards_silenced',
  'feedback',
  'accepted',
  'accepted_pct',
  'overridden',
  'overridden_pct',
]);

const fmtPct = (v: number | null): string => (v === null ? '' : v.toFixed(1));

function reasons(row: ReportRow): string {
  return row.overrideReasons
    .map((r) => `${r.code ?? '(no reason)'}${r.display ? ` "${r.display}"` : ''}: ${r.count} (${r.pct.toFixed(1)}%)`)
    .join('; ');
}

function suggestions(row: ReportRow): string {
  return row.acceptedSuggestions.map((s) => `${s.label}: ${s.count}`).join('; ');
}

function cells(row: ReportRow): string[] {
  return [
    row.syndrome ?? '',
    row.triggerClass ?? '',
    row.indicator,
    String(row.cardsShown),
    String(row.cardsSilenced),
    String(row.feedbackReceived),
    String(row.accepted),
    fmtPct(row.acceptedPct),
    String(row.overridden),
    fmtPct(row.overriddenPct),
    reasons(row),
    suggestions(row),
  ];
}

/**
 * A cell a spreadsheet would run as a formula (=, +, -, @, tab, CR first: CSV or formula injection, OWASP)
 * gets a leading apostrophe, so it is shown as text. Override reasons and comments come from the EHR.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** RFC 4180: fields with comma, quote, CR or LF are quoted, quotes doubled; records end with CRLF. */
export function csvField(value: string): string {
  if (FORMULA_START.test(value)) return `"'${value.replace(/"/g, '""')}"`;
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function toCsv(report: Report): string {
  const lines = [COLUMNS.join(','), ...report.rows.map((r) => cells(r).map(csvField).join(','))];
  return lines.map((l) => `${l}\r\n`).join('');
}

/** Control characters would break the layout (and could drive the terminal): shown as spaces. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const printable = (s: string): string => s.replace(/[\u0000-\u001f\u007f]/g, ' ');

export function toTable(report: Report): string {
  const header = [
    'Syndrome',
    'Trigger',
    'Indicator',
    'Shown',
    'Silenced',
    'Feedback',
    'Accepted',
    'Acc %',
    'Overridden',
    'Ovr %',
    'Override reasons',
    'Accepted suggestions',
  ];
  const body = report.rows.map((r) => cells(r).map(printable));
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]): string =>
    row
      .map((c, i) => (NUMERIC.has(COLUMNS[i] ?? '') ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const window = `Cards created ${report.since ? `from ${report.since.toISOString()}` : 'since the beginning'}${
    report.until ? ` until ${report.until.toISOString()} (exclusive)` : ''
  }`;
  const out = [window, '', line(header), widths.map((w) => '-'.repeat(w)).join('  ')];
  if (body.length === 0) out.push('(no cards in this period)');
  for (const row of body) out.push(line(row));
  out.push('');
  out.push(`Feedback for cards not in the log: ${report.unknownCardFeedback}`);
  return `${out.join('\n')}\n`;
}
