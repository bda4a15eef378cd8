/**
 * What an Observation says: its clinically relevant time (effectiveDateTime, effectivePeriod.start,
 * effectiveInstant, else issued: the first parseable one), its value (valueQuantity with comparator,
 * valueInteger/valueDecimal, or a numeric valueString such as "<0.5", ">40000", "1,234", "12.5 mg/dL"), the unit
 * to convert, interpretation codes, the lab's reason for no result, and whether a converted value is plausible.
 */
import { type Acc, readTime } from './context';
import { plainCodes, textsOf } from './codes';
import type { FieldNode } from './fhirpath';
import type { Comparator, LabValue, NotEvaluableReason, NotEvaluableValue } from './types';
import type { AnalyteDefinition } from '../knowledge/analytes';
import { arr, isRecord, type Json, num, str } from './util';
import { term, UCUM, type AnalyteId, type TermRef } from '../vocabulary';

const COMPARATORS: Record<string, Comparator> = { '<': '<', '<=': '<=', '>=': '>=', '>': '>', '≤': '<=', '≥': '>=' };

type TimeSource = LabValue['timeSource'];

export interface ObsTime {
  time: string;
  timeSource: TimeSource;
  /** `time` as epoch ms (parsed once here; the duplicate/conflict resolution and sorting reuse it). */
  ms: number;
}

/** Parse a numeric string: optional comparator, number (thousands separated by commas allowed), optional unit. */
function parseNumericString(
  text: string,
): { value: number; comparator?: Comparator; unit?: string } | undefined {
  const m = /^\s*(<=|>=|≤|≥|<|>)?\s*([+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+)\s*(.*?)\s*$/.exec(text);
  if (!m) return undefined;
  const [, comp, numText = '', rest = ''] = m;
  // "1,5" (decimal comma) or "1 234" would be guesses: refuse them.
  if (/^[,.\d]/.test(rest)) return undefined;
  const value = Number(numText.replace(/,/g, ''));
  if (!Number.isFinite(value)) return undefined;
  return {
    value,
    ...(comp ? { comparator: COMPARATORS[comp] as Comparator } : {}),
    ...(rest !== '' ? { unit: rest } : {}),
  };
}

export function observationTime(acc: Acc, res: Json, effective: FieldNode[]): ObsTime | undefined {
  for (const n of effective) {
    if (n.type === 'dateTime' && typeof n.value === 'string') {
      const t = readTime(acc, n.value);
      if (t !== undefined) return { time: t.time, timeSource: 'effectiveDateTime', ms: t.ms };
    }
    if (n.type === 'Period' && isRecord(n.value)) {
      const t = readTime(acc, str(n.value.start));
      if (t !== undefined) return { time: t.time, timeSource: 'effectivePeriod.start', ms: t.ms };
    }
    if (n.type === 'instant' && typeof n.value === 'string') {
      const t = readTime(acc, n.value);
      if (t !== undefined) return { time: t.time, timeSource: 'effectiveInstant', ms: t.ms };
    }
  }
  const t = readTime(acc, str(res.issued));
  return t === undefined ? undefined : { time: t.time, timeSource: 'issued', ms: t.ms };
}

/** The unit string to convert: UCUM `code` when the system is UCUM, else `unit`, else a system-less `code`. */
export function quantityUnit(acc: Acc, q: Json, analyte: AnalyteId): string | undefined {
  const code = str(q.code);
  const system = str(q.system);
  const unit = str(q.unit);
  // Candidates in order: UCUM code (system UCUM), unit text, system-less code; the first one that resolves,
  // else the first one present.
  const c1 = system === UCUM ? code : undefined;
  const c3 = system === undefined ? code : undefined;
  const units = acc.t.units;
  if (c1 !== undefined && units.resolve(c1, analyte) !== undefined) return c1;
  if (unit !== undefined && units.resolve(unit, analyte) !== undefined) return unit;
  if (c3 !== undefined && units.resolve(c3, analyte) !== undefined) return c3;
  return c1 ?? unit ?? c3;
}

interface RawValue {
  value: number;
  comparator?: Comparator;
  unit?: string;
  original: { value: number | string; unit?: string };
}

/** A value that cannot be used: the reason code, a diagnostic text, and for an implausible value why (card wording). */
type ReadResult = RawValue | { fail: NotEvaluableReason; reason: string; why?: TermRef; original: NotEvaluableValue['original'] };

export function readValue(acc: Acc, node: FieldNode, analyte: AnalyteId): ReadResult {
  const v = node.value;
  if ((node.type === 'Quantity' || node.type === 'SimpleQuantity') && isRecord(v)) {
    const unit = quantityUnit(acc, v, analyte);
    const originalUnit = str(v.unit) ?? str(v.code);
    const rawNum = v.value;
    const original: RawValue['original'] = { value: typeof rawNum === 'number' || typeof rawNum === 'string' ? rawNum : String(rawNum) };
    if (originalUnit) original.unit = originalUnit;
    if (typeof rawNum === 'string' && parseNumericString(rawNum) !== undefined) {
      // A number sent as a JSON string breaks the Quantity datatype: the sending interface is suspect (units too).
      const text = rawNum.slice(0, 20);
      return { fail: 'implausible', reason: `valueQuantity.value is the string "${text}", not a number`, why: term('value-is-string', { text }), original };
    }
    if (typeof rawNum === 'number' && !Number.isFinite(rawNum)) {
      return { fail: 'implausible', reason: 'valueQuantity.value is not a finite number', why: term('value-not-finite'), original };
    }
    const value = num(rawNum);
    if (value === undefined) return { fail: 'not-numeric', reason: 'valueQuantity has no numeric value', original };
    const compText = str(v.comparator);
    const comparator = compText === undefined ? undefined : COMPARATORS[compText];
    if (compText !== undefined && comparator === undefined) {
      return { fail: 'not-numeric', reason: `unknown comparator "${compText}"`, original };
    }
    const out: RawValue = { value, original };
    if (comparator) out.comparator = comparator;
    if (unit) out.unit = unit;
    return out;
  }
  if ((node.type === 'integer' || node.type === 'decimal') && num(v) !== undefined) {
    return { value: v as number, original: { value: v as number } };
  }
  if (node.type === 'string' && typeof v === 'string') {
    const p = parseNumericString(v);
    if (!p) return { fail: 'not-numeric', reason: `valueString "${v.slice(0, 40)}" is not a number`, original: { value: v } };
    return { ...p, original: { value: v, ...(p.unit ? { unit: p.unit } : {}) } };
  }
  return {
    fail: 'not-numeric',
    reason: `value of type ${node.type ?? 'unknown'} is not numeric`,
    original: typeof v === 'string' || typeof v === 'number' ? { value: v } : {},
  };
}

export function interpretationCodes(element: Json): string[] | undefined {
  const out: string[] = [];
  for (const concept of arr(element.interpretation)) {
    for (const code of plainCodes(concept)) if (!out.includes(code)) out.push(code);
  }
  return out.length ? out : undefined;
}

/** The lab's reason for no result (dataAbsentReason text, else a coding's display, else its code), if any. */
export function dataAbsent(element: Json): string | undefined {
  const dar = element.dataAbsentReason;
  if (!isRecord(dar)) return undefined;
  return textsOf(dar)[0] ?? plainCodes(dar)[0] ?? 'unspecified';
}

/** Outside the analyte's plausibility limits ([design], knowledge base), or not finite: why, else undefined. */
export function implausible(p: AnalyteDefinition['plausible'], value: number, unit: string): TermRef | undefined {
  if (!Number.isFinite(value)) return term('value-not-finite');
  if (p === undefined) return undefined;
  if ((p.min !== undefined && value < p.min) || (p.max !== undefined && value > p.max)) {
    const limits = p.min !== undefined && p.max !== undefined ? `${p.min}–${p.max}` : p.min !== undefined ? `≥ ${p.min}` : `≤ ${p.max}`;
    return term('outside-plausible-range', { value, unit, limits });
  }
  return undefined;
}
