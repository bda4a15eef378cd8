/**
 * Every overridable knowledge value is obeyed by the card. One row per value: the path, the site's override, a
 * patient at that value's boundary, and what the card shows with the shipped value and with the override. A
 * meta-test enumerates every knowledge value of the shipped defaults (docs/knowledge.md) and fails when one has
 * neither a row nor a reasoned exemption, so a new value cannot be added without proving the card follows it.
 */
import { defaultKnowledge, type Knowledge } from '../../src/knowledge';
import { applyKnowledgeOverride } from '../../src/knowledge/load';
import { isKnowledgeValue } from '../../src/knowledge/values';
import { run } from '../clinical-review/fhir';
import { criteriaRows, indicatorRows } from './override-rows';
import { analyteRows, exposureRows, findingRows } from './override-generated';
import { ASOF, type Row } from './override-support';


/** The site file for `path` = `value`. */
function at(path: string, value: unknown): Record<string, unknown> {
  return path.split('.').reduceRight<unknown>((v, k) => ({ [k]: v }), value) as Record<string, unknown>;
}

/** The sCD25 analyte has no shipped code (a site maps its own): every row runs with this one mapped. */
const SCD25_CODE = { analytes: { analytes: { scd25: { codes: [{ system: 'urn:test', code: 'scd25' }] } } } };
const BASE = applyKnowledgeOverride(SCD25_CODE);

function knowledgeFor(row: Row, withOverride: boolean): Knowledge {
  const base = row.base ? applyKnowledgeOverride({ ...SCD25_CODE, ...(row.base as object) }) : BASE;
  if (!withOverride) return base;
  return applyKnowledgeOverride(mergeDeep(row.base ? { ...SCD25_CODE, ...(row.base as object) } : SCD25_CODE, at(row.file ?? row.path, row.override)));
}

function mergeDeep(a: unknown, b: unknown): unknown {
  if (typeof a !== 'object' || a === null || Array.isArray(a) || typeof b !== 'object' || b === null || Array.isArray(b)) return b;
  const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
  for (const [k, v] of Object.entries(b)) out[k] = k in out ? mergeDeep(out[k], v) : v;
  return out;
}

const ROWS: Row[] = [...criteriaRows, ...indicatorRows, ...analyteRows(), ...findingRows(), ...exposureRows()];

describe('the card follows every overridden knowledge value', () => {
  it.each(ROWS.map((r) => [r.path, r] as const))('%s', (_path, row) => {
    expect(row.after).not.toEqual(row.before);
    const resources = row.resources();
    const before = row.probe(run(resources, ASOF, knowledgeFor(row, false)));
    const overridden = knowledgeFor(row, true);
    expect(overridden.overrides.some((p) => p === row.path || p.startsWith(`${row.path}.`) || row.path.startsWith(`${p}.`))).toBe(true);
    const after = row.probe(run(resources, ASOF, overridden));
    expect({ before, after }).toEqual({ before: row.before, after: row.after });
  });
});

/**
 * Values whose effect a card cannot show through a single override, each with the reason and where it is proven
 * instead.
 */
const EXEMPT: Record<string, string> = {};

/**
 * Every knowledge value of the shipped defaults, and every part of it that is not one (word lists, aliases): the
 * units a site can override. Arrays of knowledge values (codes, agents) are listed entry by entry.
 */
function overridablePaths(node: unknown, path: string): string[] {
  if (isKnowledgeValue(node)) return [path];
  const children = Array.isArray(node) ? node.map((v, i) => [String(i), v] as const) : typeof node === 'object' && node !== null ? Object.entries(node) : [];
  const inner = children.flatMap(([k, v]) => overridablePaths(v, `${path}.${k}`));
  const hasValues = children.some(([, v]) => JSON.stringify(v).includes('"status"'));
  return hasValues ? inner : [path];
}

describe('override coverage', () => {
  const paths = (['analytes', 'findings', 'exposures', 'criteria', 'indicator'] as const).flatMap((k) => overridablePaths(defaultKnowledge[k], k));
  const covered = new Set(ROWS.map((r) => r.path));

  it('every knowledge value has an override row or a reasoned exemption', () => {
    const missing = paths.filter((p) => !covered.has(p) && !EXEMPT[p]);
    expect(missing).toEqual([]);
  });

  it('rows and exemptions name existing values only', () => {
    const known = new Set(paths);
    expect([...covered, ...Object.keys(EXEMPT)].filter((p) => !known.has(p))).toEqual([]);
  });

  it('every shipped value carries a status and a source from the bibliography, never the site', () => {
    const bare: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (isKnowledgeValue(node)) {
        if (node.source.id === 'site' || !defaultKnowledge.sources[node.source.id]) bare.push(path);
        return;
      }
      if (typeof node === 'object' && node !== null) for (const [k, v] of Object.entries(node)) walk(v, `${path}.${k}`);
    };
    for (const k of ['findings', 'exposures', 'criteria', 'indicator'] as const) walk(defaultKnowledge[k], k);
    walk(defaultKnowledge.analytes.analytes, 'analytes.analytes');
    expect(bare).toEqual([]);
  });
});
