/**
 * Patients and card probes for the knowledge override table (overrides.test.ts): every row runs the real pipeline
 * (FHIR → timeline → assessment → card) with the shipped knowledge and with one value overridden, and reads what the
 * card shows (indicator, a table row of the detail, the assessment extension).
 */
import type { Card } from '../../src/hooks/response';
import { EXTENSION_KEY } from '../../src/render/extension';
import { administration, carT, condition, lab, patient, range, type Run } from '../clinical-review/fhir';

type J = Record<string, unknown>;

/** One overridable knowledge value, a patient at its boundary and what the card shows before and after. */
export interface Row {
  path: string;
  /** Where the override is written in the site's file when not at `path` (a list replaced whole). */
  file?: string;
  /** The value at `file` (or `path`) in the site's file, merged into the shipped value. */
  override: unknown;
  /** Other site values the row needs (e.g. a rule that lets the value matter). */
  base?: unknown;
  resources: () => unknown[];
  probe: (r: Run) => unknown;
  before: unknown;
  after: unknown;
}

export const ASOF = '2026-03-15T12:00:00Z';
const MS = Date.parse(ASOF);
/** The instant `h` hours before asOf. */
export const H = (h: number): string => new Date(MS - h * 3_600_000).toISOString();
export const D = (d: number): string => H(d * 24);

export const ferritin = (v: number, h = 6, extra: J = {}): J => lab('2276-4', v, 'ng/mL', H(h), { ...range(undefined, 400, 'ng/mL'), ...extra });
export const temp = (v: number, h = 6): J => lab('8310-5', v, 'Cel', H(h));
export const hb = (v: number, h = 6): J => lab('718-7', v, 'g/dL', H(h));
export const plt = (v: number, h = 6): J => lab('777-3', v, '10*9/L', H(h));
export const anc = (v: number, h = 6): J => lab('751-8', v, '10*9/L', H(h));
export const wbc = (v: number, h = 6): J => lab('6690-2', v, '10*9/L', H(h));
export const fib = (v: number, h = 6, extra: J = {}): J => lab('3255-7', v, 'mg/dL', H(h), extra);
export const tg = (v: number, h = 6): J => lab('2571-8', v, 'mg/dL', H(h));
export const ast = (v: number, h = 6): J => lab('1920-8', v, 'U/L', H(h), range(0, 35, 'U/L'));
export const alt = (v: number, h = 6, extra: J = {}): J => lab('1742-6', v, 'U/L', H(h), { ...range(0, 35, 'U/L'), ...extra });
export const scd25 = (v: number, h = 6): J => lab('scd25', v, 'U/mL', H(h), { code: { coding: [{ system: 'urn:test', code: 'scd25' }] } });

interface Bg {
  ferritin?: number | null;
  fever?: number | null;
  hb?: number | null;
  plt?: number | null;
  fib?: number | null;
  /** Active splenomegaly coded 2 days ago (drug patients; default true). */
  spleen?: boolean;
  birthDate?: string;
  /** The trigger: an administration (drug) or infusion (IEC) documented by this name. */
  agent?: string;
  /** Documented as a MedicationAdministration (default) or not at all (the row adds its own). */
  noExposure?: boolean;
}

/**
 * Pembrolizumab 20 days ago; ferritin 600 ng/mL, fever 39 °C, splenomegaly, Hb 8 g/dL and platelets 50 ×10⁹/L: the
 * HLH-2004 ferritin criterion plus 3 further criteria (fever, splenomegaly, cytopenias; 4 of 8) → a warning card,
 * which stays a warning card when one further criterion is lost. `null` leaves a value out.
 */
export function drug(extra: J[] = [], o: Bg = {}): J[] {
  const out: J[] = [patient(o.birthDate), ...(o.noExposure ? [] : [administration(o.agent ?? 'pembrolizumab', D(20))])];
  if (o.ferritin !== null) out.push(ferritin(o.ferritin ?? 600));
  if (o.fever !== null) out.push(temp(o.fever ?? 39));
  if (o.hb !== null) out.push(hb(o.hb ?? 8));
  if (o.plt !== null) out.push(plt(o.plt ?? 50));
  if (o.spleen !== false) out.push(condition('http://hl7.org/fhir/sid/icd-10-cm', 'R16.1', { clinicalStatus: { coding: [{ code: 'active' }] }, onsetDateTime: D(2) }));
  return [...out, ...extra];
}

/** Axicabtagene ciloleucel 12 days ago; ferritin 2,000 ng/mL (ULN 400) and fibrinogen 100 mg/dL → ASTCT suggestive, a warning card. */
export function iec(extra: J[] = [], o: Bg = {}): J[] {
  const out: J[] = [patient(o.birthDate), ...(o.noExposure ? [] : [o.agent?.startsWith('t-cell:') ? administration(o.agent.slice(7), D(12)) : carT(D(12), o.agent)])];
  if (o.ferritin !== null) out.push(ferritin(o.ferritin ?? 2000));
  if (o.fib !== null) out.push(fib(o.fib ?? 100));
  return [...out, ...extra];
}

const card = (r: Run): Card | undefined => r.cards[0];

export function indicator(r: Run): string {
  return card(r)?.indicator ?? 'no card';
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function extension(r: Run): any {
  return (card(r)?.extension as Record<string, unknown> | undefined)?.[EXTENSION_KEY];
}

/** Markdown as shown → plain text (escapes and entities undone, emphasis removed). */
function plain(s: string): string {
  return s
    .replace(/\\(.)/g, '$1')
    .replace(/&gt;/g, '>')
    .replace(/&lt;/g, '<')
    .replace(/&amp;/g, '&')
    .replace(/\*/g, '')
    .trim();
}

/** The detail block under the `#### <heading>` that starts with `section`. */
function block(r: Run, section: string): string | undefined {
  const detail = card(r)?.detail;
  if (!detail) return undefined;
  return detail.split('\n#### ').find((b) => plain(b.split('\n')[0] ?? '').startsWith(section));
}

/**
 * A row of a criteria table on the card: its cells (plain text) — or `['not assessable']` when the item is named
 * in the section's "not assessable" line, `['no card']` without a card, `['no row']` when absent.
 */
export function rowOf(r: Run, section: string, label: string): string[] {
  if (!card(r)) return ['no card'];
  const b = block(r, section);
  if (!b) return ['no section'];
  for (const line of b.split('\n')) {
    if (!line.startsWith('| ')) continue;
    const cells = line.split(/(?<!\\)\|/).slice(1, -1).map(plain);
    if (cells[0] === label || cells[0]?.replace(/ \(may be present\)$/, '') === label) return cells.slice(1);
  }
  if (b.split('\n').some((l) => l.startsWith('Not assessable') && plain(l).includes(label))) return ['not assessable'];
  return ['no row'];
}

/** The state cell of a criteria table row (`met`, `not-met`, `unknown (no data)`…). */
export const stateOf = (section: string, label: string) => (r: Run): string => rowOf(r, section, label)[0]!;
/** The points cell of an HScore row. */
export const pointsOf = (label: string) => (r: Run): string => rowOf(r, 'HScore', label)[0]!;

/** The first match of `re` in the card's detail (group 1 when present), or 'absent'. */
export const detailMatch = (re: RegExp) => (r: Run): string => {
  const m = re.exec(plain(card(r)?.detail ?? ''));
  return m ? (m[1] ?? m[0]) : 'absent';
};
