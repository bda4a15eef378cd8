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

/**
 * Per ASCII character, what the inert scan does with it: 0 plain, 1 never inert (controls; inline-syntax,
 * HTML and entity characters), 2 space (no double, no trailing), 3 colon ("://"), 4 dot ("www.").
 */
const ASCII_CLASS = new Uint8Array(128);
for (let c = 0; c < 0x20; c++) ASCII_CLASS[c] = 1;
ASCII_CLASS[0x7f] = 1;
for (const c of '\\`*_[]()|~!$&<>') ASCII_CLASS[c.charCodeAt(0)] = 1;
ASCII_CLASS[0x20] = 2;
ASCII_CLASS[0x3a] = 3;
ASCII_CLASS[0x2e] = 4;

/**
 * Whether escapeSlow(s, max) would return s unchanged, by one scan of the characters: no control or format
 * character (CONTROL), no whitespace but single inner spaces (\s+ → ' ', trim), no inline-syntax or HTML
 * character, no "://" or "www.", and no block syntax at the start (MD_LEADING). Anything in doubt is "no".
 */
function isInert(s: string): boolean {
  const n = s.length;
  if (n === 0) return true;
  const first = s.charCodeAt(0);
  // leading space; MD_LEADING: # + - = : first, or digits followed by "." (")" is never inert anyway)
  if (first === 0x20 || first === 0x23 || first === 0x2b || first === 0x2d || first === 0x3d || first === 0x3a) return false;
  if (first >= 0x30 && first <= 0x39) {
    let i = 1;
    while (i < n && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39) i++;
    if (i < n && s.charCodeAt(i) === 0x2e) return false;
  }
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      const k = ASCII_CLASS[c];
      if (k === 0) continue;
      if (k === 1) return false;
      if (k === 2) {
        if (i + 1 === n || s.charCodeAt(i + 1) === 0x20) return false;
      } else if (k === 3) {
        if (s.charCodeAt(i + 1) === 0x2f && s.charCodeAt(i + 2) === 0x2f) return false;
      } else if (i >= 3 && (s.charCodeAt(i - 1) | 0x20) === 0x77 && (s.charCodeAt(i - 2) | 0x20) === 0x77 && (s.charCodeAt(i - 3) | 0x20) === 0x77) {
        return false; // "www." (any case)
      }
    } else if (c <= 0xa0 || (c >= 0x1680 && isSpaceOrFormat(c))) {
      return false; // C1 controls, no-break space, Unicode spaces, zero-width and bidi characters
    }
  }
  return true;
}

function isSpaceOrFormat(c: number): boolean {
  return (
    c === 0x1680 ||
    c === 0x180e ||
    (c >= 0x2000 && c <= 0x200f) ||
    (c >= 0x2028 && c <= 0x202f) ||
    (c >= 0x205f && c <= 0x206f) ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/**
 * Makes an untrusted string inert inside Markdown: one line, no HTML, no Markdown syntax. Safe both in a
 * paragraph and inside a GFM table cell. Long strings are cut at `max` characters (with an ellipsis).
 */
export function escapeMarkdown(input: unknown, max = 200): string {
  const s = typeof input === 'string' ? input : input === undefined || input === null ? '' : String(input);
  // Fast path (most cells: "ferritin", "20,726 ng/mL", "2026-03-14 08:50Z", "150–400 ×10⁹/L"): text that no step
  // of escapeSlow would change is returned as is (checked by one character scan, no regex).
  if (s.length <= max && isInert(s)) return s;
  // The other cells repeat across cards and requests (labels with parentheses, issue texts): memoised, bounded,
  // one map per `max` (no key string to build per call).
  if (s.length > ESCAPE_CACHE_MAX_CHARS) return escapeSlow(s, max);
  let cache = escapeCaches.get(max);
  if (!cache) escapeCaches.set(max, (cache = new Map()));
  let out = cache.get(s);
  if (out === undefined) {
    out = escapeSlow(s, max);
    if (cache.size >= ESCAPE_CACHE_MAX) cache.clear();
    cache.set(s, out);
  }
  return out;
}

const ESCAPE_CACHE_MAX = 5_000;
const ESCAPE_CACHE_MAX_CHARS = 512;
const escapeCaches = new Map<number, Map<string, string>>();

/** The escaping itself, uncached and without the fast path (exported for the fast path's equivalence test). */
export function escapeMarkdownUncached(input: unknown, max = 200): string {
  return escapeSlow(typeof input === 'string' ? input : input === undefined || input === null ? '' : String(input), max);
}

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
