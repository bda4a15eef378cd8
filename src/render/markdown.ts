/**
 * Escaping for anything that came from the EHR (agent names, codes, display text, source references, issue
 * messages) before it goes into a card's GitHub-flavoured Markdown `detail`. CDS clients may render raw HTML,
 * so the result must not be able to open a tag, a link, an image, a code span, a table cell or a new block.
 */

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u2028\u2029\u200B-\u200F\u202A-\u202E\u2066-\u2069]/g;
const LINE_BREAKS = /\r\n|\r|\n|\t/g;
// Inline syntax: emphasis, code spans, links/images, table cells, strikethrough, math ($ on GitHub), escapes.
// `&`, `<`, `>` become entities instead (no raw HTML, no autolinks in angle brackets).
const MD_INLINE = /[\\`*_[\]()|~!$]/g;
// Block syntax only matters at the start of a line: headings, lists, quotes, rules, setext underlines.
const MD_LEADING = /^([#+\-=:]|\d+[.)])/;
const SAFE_TEXT = /^[A-Za-z0-9,./%]+(?: [A-Za-z0-9,./%]+)*$/;
const LEADING_ORDINAL = /^\d+\./;
const WWW_DOT = /www\./i;

/**
 * Makes an untrusted string inert inside Markdown: one line, no HTML, no Markdown syntax. Safe both in a
 * paragraph and inside a GFM table cell. Long strings are cut at `max` characters (with an ellipsis).
 */
export function escapeMarkdown(input: unknown, max = 200): string {
  const s = typeof input === 'string' ? input : input === undefined || input === null ? '' : String(input);
  // Fast path (most cells: "ferritin", "20,726 ng/mL"): single-spaced words of letters, digits and , . / %
  // hold nothing any step below would change, unless a line starts with "12." or the text has "www.".
  if (s.length <= max && SAFE_TEXT.test(s) && !LEADING_ORDINAL.test(s) && !WWW_DOT.test(s)) return s;
  // The other cells repeat across cards and requests (agent names, "×10⁹/L", issue texts): memoised, bounded.
  if (s.length > ESCAPE_CACHE_MAX_CHARS) return escapeSlow(s, max);
  const key = `${max}\u0000${s}`;
  let out = escapeCache.get(key);
  if (out === undefined) {
    out = escapeSlow(s, max);
    if (escapeCache.size >= ESCAPE_CACHE_MAX) escapeCache.clear();
    escapeCache.set(key, out);
  }
  return out;
}

const ESCAPE_CACHE_MAX = 5_000;
const ESCAPE_CACHE_MAX_CHARS = 512;
const escapeCache = new Map<string, string>();

function escapeSlow(input: string, max: number): string {
  let s = input;
  s = s.replace(LINE_BREAKS, ' ').replace(CONTROL, '');
  s = s.replace(/\s+/g, ' ').trim();
  if (s.length > max) s = `${s.slice(0, max - 1).trimEnd()}…`;
  s = s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  s = s.replace(MD_INLINE, (c) => `\\${c}`);
  // GFM extended autolinks (`https://…`, `www.…`) would turn EHR text into clickable links.
  s = s.replace(/:\/\//g, '\\://').replace(/\b(www)\./gi, '$1\\.');
  return s.replace(MD_LEADING, (m) => (/^\d/.test(m) ? `${m.slice(0, -1)}\\${m.slice(-1)}` : `\\${m}`));
}

/** A plain-text one-liner (card summary, suggestion label): no line breaks or control characters. */
export function plainText(input: string): string {
  return input.replace(LINE_BREAKS, ' ').replace(CONTROL, '').replace(/\s+/g, ' ').trim();
}

/** A GFM table. Cells must already be escaped (or be trusted content). */
export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map((c) => (c === '' ? ' ' : c)).join(' | ')} |`;
  return [line(header), `|${header.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n');
}
