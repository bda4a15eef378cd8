/**
 * The effective knowledge as a committee reads it: every knowledge value with its setting (operator, value, unit),
 * evidence status, citation and whether the site changed it, as JSON and as Markdown. `npm run knowledge` prints it
 * for a site's file; docs/knowledge.md is this report of the shipped defaults.
 */
import type { Knowledge } from './index';
import type { Bibliography, Provenance } from './provenance';
import { citationText, isKnowledgeValue } from './values';

export interface KnowledgeEntry {
  path: string;
  /** The value's own fields (without status and source). */
  value: Record<string, unknown>;
  /** The setting as text, e.g. "≥ 38.5 Cel (≥ 3 mmol/L)". */
  setting: string;
  status: Provenance['status'];
  source: Provenance['source'];
  /** Short citation, e.g. "Henter 2007 (HLH-2004), criterion 1". */
  citation: string;
  /** The site's knowledge file changed this value. */
  siteChanged: boolean;
  /** Why (design decisions), when the knowledge base says. */
  note?: string;
}

/** Word lists and aliases: notation the site can override, not clinical values (no status of their own). */
interface KnowledgeNotation {
  path: string;
  value: unknown;
  siteChanged: boolean;
}

export interface KnowledgeReport {
  version: string;
  overrides: string[];
  sources: Bibliography;
  values: KnowledgeEntry[];
  notation: KnowledgeNotation[];
}

const OPS = [['gt', '>'], ['gte', '≥'], ['lt', '<'], ['lte', '≤']] as const;

function bounds(o: Record<string, unknown>): string {
  return OPS.filter(([k]) => typeof o[k] === 'number').map(([k, op]) => `${op} ${String(o[k])}`).join(' and ');
}

function list(x: unknown): string {
  if (Array.isArray(x)) return x.map((v) => (typeof v === 'object' && v !== null ? describe(v as Record<string, unknown>) : String(v))).join('; ');
  return typeof x === 'object' && x !== null ? describe(x as Record<string, unknown>) : String(x);
}

/** A value's fields as the reader needs them: thresholds and bands with their operators, the rest as key: value. */
function describe(v: Record<string, unknown>): string {
  const unit = typeof v.unit === 'string' ? ` ${v.unit}` : '';
  if (Array.isArray(v.bands)) {
    const set = (s: Record<string, unknown>) => `${String(s.unit)}: ${(s.bands as Record<string, unknown>[]).map((b) => `${bounds(b)} → ${String(b.points)}`).join(' · ')}`;
    return [set(v), ...((v.alt as Record<string, unknown>[] | undefined) ?? []).map(set)].join(' | ');
  }
  if (OPS.some(([k]) => typeof v[k] === 'number')) {
    const alt = ((v.alt as Record<string, unknown>[] | undefined) ?? []).map((a) => `${bounds(a)} ${String(a.unit)}`);
    return `${bounds(v)}${unit}${alt.length ? ` (${alt.join(', ')})` : ''}`;
  }
  if ('value' in v) return `${list(v.value)}${unit}`;
  return Object.entries(v)
    .filter(([k]) => k !== 'status' && k !== 'source' && k !== 'note')
    .map(([k, x]) => `${k}: ${list(x)}`)
    .join(', ');
}

const changedBy = (overrides: readonly string[], path: string): boolean =>
  overrides.some((p) => p === path || p.startsWith(`${path}.`) || path.startsWith(`${p}.`));

function walk(node: unknown, path: string, k: Knowledge, out: KnowledgeReport): void {
  if (isKnowledgeValue(node)) {
    const { status, source, note, ...value } = node;
    const entry: KnowledgeEntry = { path, value, setting: describe(value), status, source, citation: citationText(k.sources, node), siteChanged: changedBy(k.overrides, path) };
    if (typeof note === 'string') entry.note = note;
    out.values.push(entry);
    return;
  }
  const hasValues = typeof node === 'object' && node !== null && JSON.stringify(node).includes('"status"');
  if (!hasValues) {
    out.notation.push({ path, value: node, siteChanged: changedBy(k.overrides, path) });
    return;
  }
  const children = Array.isArray(node) ? node.map((v, i) => [String(i), v] as const) : Object.entries(node as object);
  for (const [key, v] of children) walk(v, `${path}.${key}`, k, out);
}

/** Every knowledge value of `k` in document order (criteria first: what a committee signs off before code lists). */
export function knowledgeReport(k: Knowledge): KnowledgeReport {
  const out: KnowledgeReport = { version: k.version, overrides: [...k.overrides], sources: k.sources, values: [], notation: [] };
  for (const part of ['criteria', 'indicator', 'exposures', 'findings', 'analytes'] as const) walk(k[part], part, k, out);
  return out;
}
