/**
 * A value's reference range: the lab's referenceRange (the first untyped one, else the first typed `normal`)
 * converted to the value's unit, from its low/high Quantities, else from its `text` when that reads one way
 * (./ranges.ts); else the knowledge base's fallback range for the patient's age band (`source: 'fallback'`).
 */
import type { Acc, LabAcc } from './context';
import { plainCodes } from './codes';
import type { LabValue, ReferenceRange } from './types';
import type { AnalyteDefinition, FallbackBand } from '../knowledge/analytes';
import { parseRangeText, pickBand } from './ranges';
import { affine, roundConverted } from './units';
import { isRecord, type Json, num, records, str } from './util';
import { type AnalyteId, dataIssue } from '../vocabulary';
import { quantityUnit } from './observation-values';

/** A lab range converted to the value's unit; `failed`: not convertible; `unread`: text that does not read one way. */
type LabRange = ReferenceRange | 'failed' | { unread: string } | undefined;

/** One bound in `rawUnit`, converted to the value's unit; undefined when not convertible. */
function convertBound(acc: Acc, v: number, rawUnit: string | undefined, analyte: AnalyteId, unit: string): number | undefined {
  const def = acc.t.knowledge.analytes.analytes[analyte];
  if (def.canonicalUnit === null) {
    // "As reported" analytes: the range must be in (or convertible to) the value's own unit.
    const from = rawUnit === undefined ? undefined : acc.t.units.resolve(rawUnit, analyte);
    const map = from === undefined ? null : affine(from, unit);
    if (!map) return undefined;
    return map.offset === 0 && map.factor === 1 ? v : roundConverted(map.offset + map.factor * v);
  }
  const conv = acc.t.units.toCanonical(v, rawUnit, analyte);
  return conv.ok ? conv.value : undefined;
}

/** A range given only as text (./ranges.ts): its unit, else the value's; unread when it does not read one way. */
function textRange(acc: Acc, text: string, analyte: AnalyteId, valueUnitRaw: string | undefined, unit: string): LabRange {
  const parsed = parseRangeText(text);
  if (parsed === undefined || (parsed.unit !== undefined && acc.t.units.resolve(parsed.unit, analyte) === undefined)) return { unread: text };
  const rawUnit = parsed.unit ?? valueUnitRaw;
  const out = {} as ReferenceRange;
  for (const side of ['low', 'high'] as const) {
    const v = parsed[side];
    if (v === undefined) continue;
    const bound = convertBound(acc, v, rawUnit, analyte, unit);
    if (bound === undefined) return 'failed';
    out[side] = bound;
  }
  out.unit = unit;
  out.source = 'lab';
  out.text = text;
  return out;
}

/** Convert a lab referenceRange to the value's unit (see LabRange); undefined when there is none. */
function labRange(acc: Acc, element: Json, analyte: AnalyteId, valueUnitRaw: string | undefined, unit: string): LabRange {
  const ranges = element.referenceRange;
  if (!Array.isArray(ranges)) return undefined;
  // The first untyped range, else the first typed `normal`.
  let range: Json | undefined;
  for (const r of ranges) {
    if (isRecord(r) && !isRecord(r.type)) {
      range = r;
      break;
    }
  }
  if (!range) range = records(ranges).find((r) => plainCodes(r.type).includes('normal'));
  if (!range) return undefined;
  let low: number | undefined;
  let high: number | undefined;
  for (let i = 0; i < 2; i++) {
    const q = i === 0 ? range.low : range.high;
    if (!isRecord(q)) continue;
    const v = num(q.value);
    if (v === undefined) continue;
    const bound = convertBound(acc, v, quantityUnit(acc, q, analyte) ?? valueUnitRaw, analyte, unit);
    if (bound === undefined) return 'failed';
    if (i === 0) low = bound;
    else high = bound;
  }
  if (low === undefined && high === undefined) {
    const text = str(range.text);
    return text === undefined ? undefined : textRange(acc, text, analyte, valueUnitRaw, unit);
  }
  const out = {} as ReferenceRange;
  if (low !== undefined) out.low = low;
  if (high !== undefined) out.high = high;
  out.unit = unit;
  out.source = 'lab';
  return out;
}

/**
 * The fallback range of a band, `{ low?, high?, unit, source: 'fallback', population }`, built as a clone of a
 * template cached per band object: a spread followed by more properties takes V8's generic runtime path (~1.4 µs
 * each, once per lab value without a lab range), a bare `{ ...template }` clones the template's shape (~0.03 µs).
 */
const fallbackTemplates = new WeakMap<object, ReferenceRange>();

function fallbackRange(band: FallbackBand, unit: string): ReferenceRange {
  let template = fallbackTemplates.get(band);
  if (template === undefined || template.unit !== unit) {
    template = {} as ReferenceRange;
    if (band.low !== undefined) template.low = band.low;
    if (band.high !== undefined) template.high = band.high;
    template.unit = unit;
    template.source = 'fallback';
    template.population = band.population;
    fallbackTemplates.set(band, template);
  }
  return { ...template };
}

/** The knowledge base's fallback for the patient's age at the value's time (the one unbounded band: no age needed). */
function fallbackFor(acc: LabAcc, bands: readonly FallbackBand[], unit: string, atMs: number): ReferenceRange | undefined {
  const only = bands.length === 1 && bands[0]?.age === undefined ? bands[0] : undefined;
  const band = only ?? pickBand(bands, acc.birthMs, atMs);
  return band === undefined ? undefined : fallbackRange(band, unit);
}

/** The lab's range (Quantities, else readable text), else the fallback for the patient's age band. */
export function setRange(acc: LabAcc, lab: LabValue, element: Json, def: AnalyteDefinition, valueUnitRaw: string | undefined, atMs: number): void {
  let referenceRange: ReferenceRange | undefined;
  const range = element.referenceRange === undefined ? undefined : labRange(acc, element, lab.analyte, valueUnitRaw, lab.unit);
  if (range === 'failed') {
    acc.issues.push(dataIssue('info', 'reference-range-not-convertible', { analyte: def.label, unit: lab.unit }, lab.source));
  } else if (range !== undefined && 'unread' in range) lab.unreadRangeText = range.unread;
  else referenceRange = range;
  if (!referenceRange && def.fallbackRanges && def.canonicalUnit !== null) referenceRange = fallbackFor(acc, def.fallbackRanges, def.canonicalUnit, atMs);
  if (referenceRange) lab.referenceRange = referenceRange;
}
