/**
 * Unit normalisation: unit spelling → UCUM code (explicit alias table, then UCUM itself), then conversion to
 * the analyte's canonical unit with @lhncbc/ucum-lhc.
 *
 * ucum-lhc is slow (parsing every call), so conversions are reduced once per (from, to, molecular weight) to
 * an affine map `to = offset + factor × from` (offset is 0 except for temperatures), verified on a third point,
 * and cached. A unit that cannot be converted is never guessed: the caller gets a reason.
 *
 * The ucum-lhc instance is the one fhirpath.js exports (`UcumLhcUtils.getInstance()` of the same pinned
 * @lhncbc/ucum-lhc 7.1.9), which spares an untyped second import.
 */
import { ucumUtils } from 'fhirpath';
import type { AnalyteKnowledge } from '../knowledge/analytes';
import type { AnalyteId } from '../vocabulary';

interface UcumResult {
  status: string;
  toVal: number | null;
}
interface UcumApi {
  validateUnitString(unit: string, suggest?: boolean): { status: string };
  convertUnitTo(from: string, value: number, to: string, options?: { molecularWeight?: number }): UcumResult;
}
const ucum = ucumUtils as UcumApi;

interface Affine {
  offset: number;
  factor: number;
}

const CACHE_LIMIT = 5000; // untrusted input may carry arbitrary unit strings: keep the caches bounded
const validity = new Map<string, boolean>();
const affineCache = new Map<string, Affine | null>();

function remember<K, V>(map: Map<K, V>, key: K, value: V): V {
  if (map.size < CACHE_LIMIT) map.set(key, value);
  return value;
}

function isValidUcum(unit: string): boolean {
  const hit = validity.get(unit);
  if (hit !== undefined) return hit;
  let ok = false;
  try {
    ok = ucum.validateUnitString(unit, false).status === 'valid';
  } catch {
    ok = false;
  }
  return remember(validity, unit, ok);
}

function ucumConvert(from: string, value: number, to: string, molecularWeight?: number): number | undefined {
  try {
    const r = ucum.convertUnitTo(from, value, to, molecularWeight ? { molecularWeight } : {});
    return r.status === 'succeeded' && typeof r.toVal === 'number' && Number.isFinite(r.toVal) ? r.toVal : undefined;
  } catch {
    return undefined;
  }
}

/** The affine map from one UCUM unit to another, or null when UCUM cannot convert (cached). */
export function affine(from: string, to: string, molecularWeight?: number): Affine | null {
  const key = `${from}\u0000${to}\u0000${molecularWeight ?? ''}`;
  const hit = affineCache.get(key);
  if (hit !== undefined) return hit;
  let result: Affine | null = null;
  if (from === to) result = { offset: 0, factor: 1 };
  else {
    const f0 = ucumConvert(from, 0, to, molecularWeight);
    const f1 = ucumConvert(from, 1, to, molecularWeight);
    const f1000 = ucumConvert(from, 1000, to, molecularWeight);
    if (f0 !== undefined && f1 !== undefined && f1000 !== undefined) {
      const candidate = { offset: f0, factor: f1 - f0 };
      const predicted = candidate.offset + 1000 * candidate.factor;
      // Non-affine (logarithmic) units would fail this check and are treated as not convertible.
      if (Math.abs(predicted - f1000) <= 1e-9 * Math.max(1, Math.abs(f1000)) && candidate.factor !== 0) result = candidate;
    }
  }
  return remember(affineCache, key, result);
}

/** 12 significant digits: removes binary noise (149.99999999999997 → 150) without losing lab precision. */
export function roundConverted(x: number): number {
  return Number(x.toPrecision(12));
}

type ConversionFailure = {
  ok: false;
  reasonCode: 'no-unit' | 'unit-unknown' | 'unit-not-convertible' | 'unit-refused';
  reason: string;
};
export type ConversionResult = { ok: true; value: number; unit: string } | ConversionFailure;

type Plan = { kind: 'affine'; map: Affine; unit: string } | { kind: 'as-reported'; unit: string } | ConversionFailure;

/** Collapse spaces; Greek small mu (U+03BC) → micro sign (U+00B5), so one alias row covers both. */
function cleanUnit(raw: string): string {
  return raw.trim().replace(/\s+/g, ' ').replace(/\u03bc/g, '\u00b5');
}

function lowerKeys(rec: Readonly<Record<string, string>> | undefined): Map<string, string> {
  const m = new Map<string, string>();
  for (const [k, v] of Object.entries(rec ?? {})) m.set(cleanUnit(k).toLowerCase(), v);
  return m;
}

function exactKeys(rec: Readonly<Record<string, string>> | undefined): Map<string, string> {
  const m = new Map<string, string>();
  for (const [k, v] of Object.entries(rec ?? {})) m.set(cleanUnit(k), v);
  return m;
}

/** Per-knowledge converter: alias tables and conversion plans per (analyte, unit). */
export class UnitConverter {
  private readonly globalExact: Map<string, string>;
  private readonly globalLower: Map<string, string>;
  private readonly analyteExact = new Map<AnalyteId, Map<string, string>>();
  private readonly analyteLower = new Map<AnalyteId, Map<string, string>>();
  /** Per analyte: raw unit → plan / resolved UCUM code (bounded in total by CACHE_LIMIT each). */
  private readonly plans = new Map<AnalyteId, Map<string, Plan>>();
  private readonly resolved = new Map<AnalyteId, Map<string, string | null>>();
  private planCount = 0;
  private resolvedCount = 0;

  constructor(private readonly knowledge: AnalyteKnowledge) {
    this.globalExact = exactKeys(knowledge.unitAliases);
    this.globalLower = lowerKeys(knowledge.unitAliases);
    for (const [id, def] of Object.entries(knowledge.analytes) as [AnalyteId, (typeof knowledge.analytes)[AnalyteId]][]) {
      this.analyteExact.set(id, exactKeys(def.unitAliases));
      this.analyteLower.set(id, lowerKeys(def.unitAliases));
    }
  }

  /**
   * The UCUM code for a unit as written: analyte alias, global alias, valid UCUM as is, then the alias
   * tables case-insensitively. Undefined when nothing recognises it.
   */
  resolve(raw: string, analyte: AnalyteId): string | undefined {
    let perAnalyte = this.resolved.get(analyte);
    const hit = perAnalyte?.get(raw);
    if (hit !== undefined) return hit ?? undefined;
    const result = this.resolveUncached(raw, analyte);
    if (this.resolvedCount < CACHE_LIMIT) {
      if (!perAnalyte) this.resolved.set(analyte, (perAnalyte = new Map()));
      perAnalyte.set(raw, result ?? null);
      this.resolvedCount++;
    }
    return result;
  }

  private resolveUncached(raw: string, analyte: AnalyteId): string | undefined {
    const s = cleanUnit(raw);
    if (s === '') return undefined;
    const exact = this.analyteExact.get(analyte)?.get(s) ?? this.globalExact.get(s);
    if (exact !== undefined) return exact;
    if (isValidUcum(s)) return s;
    const lower = s.toLowerCase();
    return this.analyteLower.get(analyte)?.get(lower) ?? this.globalLower.get(lower);
  }

  /** The UCUM code for a unit of no particular analyte (global aliases, then UCUM), e.g. a dose unit. */
  resolveGeneric(raw: string): string | undefined {
    const s = cleanUnit(raw);
    if (s === '') return undefined;
    const exact = this.globalExact.get(s);
    if (exact !== undefined) return exact;
    if (isValidUcum(s)) return s;
    return this.globalLower.get(s.toLowerCase());
  }

  /** Convert a value in `rawUnit` (as written in the resource; undefined = no unit) to the canonical unit. */
  toCanonical(value: number, rawUnit: string | undefined, analyte: AnalyteId): ConversionResult {
    const def = this.knowledge.analytes[analyte];
    let perAnalyte: Map<string, Plan> | undefined;
    if (rawUnit !== undefined) {
      perAnalyte = this.plans.get(analyte);
      const cached = perAnalyte?.get(rawUnit);
      if (cached !== undefined) return this.apply(cached, value);
    }
    const raw = rawUnit === undefined ? '' : cleanUnit(rawUnit);
    if (raw === '') {
      if (def.unitless && def.canonicalUnit !== null) return { ok: true, value, unit: def.canonicalUnit };
      return {
        ok: false,
        reasonCode: 'no-unit',
        reason: `${def.label} value has no unit and the unit cannot be inferred`,
      };
    }
    const plan = this.plan(raw, analyte);
    if (this.planCount < CACHE_LIMIT) {
      if (!perAnalyte) this.plans.set(analyte, (perAnalyte = new Map()));
      perAnalyte.set(rawUnit as string, plan);
      this.planCount++;
    }
    return this.apply(plan, value);
  }

  private apply(plan: Plan, value: number): ConversionResult {
    if ('ok' in plan) return plan;
    if (plan.kind === 'as-reported') return { ok: true, value, unit: plan.unit };
    const { offset, factor } = plan.map;
    const v = offset === 0 && factor === 1 ? value : roundConverted(offset + factor * value);
    return { ok: true, value: v, unit: plan.unit };
  }

  private plan(raw: string, analyte: AnalyteId): Plan {
    const def = this.knowledge.analytes[analyte];
    const unit = this.resolve(raw, analyte);
    if (def.canonicalUnit === null) return { kind: 'as-reported', unit: unit ?? raw };
    const canonical = def.canonicalUnit;
    if (unit === undefined) {
      return {
        ok: false,
        reasonCode: 'unit-unknown',
        reason: `unit "${raw}" is neither UCUM nor a known spelling; ${def.label} needs ${canonical}`,
      };
    }
    for (const refused of def.notConvertible ?? []) {
      if (affine(unit, refused.unit) !== null) return { ok: false, reasonCode: 'unit-refused', reason: refused.reason };
    }
    const direct = affine(unit, canonical);
    if (direct) return { kind: 'affine', map: direct, unit: canonical };
    for (const c of def.conversions ?? []) {
      const toFrom = affine(unit, c.fromUnit);
      if (!toFrom) continue;
      const k = c.multiplyBy ?? 1 / (c.divideBy as number);
      return { kind: 'affine', map: { offset: toFrom.offset * k, factor: toFrom.factor * k }, unit: canonical };
    }
    if (def.molecularWeight !== undefined) {
      const viaMw = affine(unit, canonical, def.molecularWeight);
      if (viaMw) return { kind: 'affine', map: viaMw, unit: canonical };
    }
    return {
      ok: false,
      reasonCode: 'unit-not-convertible',
      reason: `unit "${raw}" is not convertible to ${canonical} for ${def.label}`,
    };
  }
}
