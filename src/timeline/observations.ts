/**
 * Observation → lab values (and Observation-borne findings), per docs/knowledge.md and the data handling real feeds need:
 *
 * - analyte by code system + code only (Observation.code and each component.code; never display);
 * - status final / amended / corrected used, preliminary used and flagged (`status: 'preliminary'`),
 *   entered-in-error / cancelled dropped with an info issue, anything else (registered, unknown…) not used;
 * - time: effectiveDateTime, effectivePeriod.start, effectiveInstant, else issued (first parseable one);
 * - value: valueQuantity (with comparator), valueInteger/valueDecimal, or a numeric valueString ("<0.5",
 *   ">40000", "1,234", "12.5 mg/dL"); anything else is kept as not evaluable with a reason;
 * - implausible values (not finite, outside the analyte's plausibility limits [design], or a Quantity whose value
 *   is a JSON string) are not evaluable and raise an `implausible-value` warning: "check units";
 * - unit → canonical unit (./units); referenceRange (the first one typed `normal` or untyped) converted too,
 *   low/high Quantities first, else its `text` when that reads one way (./ranges), else the knowledge base's
 *   fallback range for the patient's age band (`source: 'fallback'`);
 * - interpretation codes, and `Observation/id` or `Observation/id#component[i]` as source.
 */
import { type Acc, readTime } from './context';
import { anyMatch, codingsOf, firstMatch, plainCodes, textsOf } from './codes';
import { choiceField, COMPONENT_VALUE, fieldBatch, type FieldName, type FieldNode, NOT_HANDLED, OBSERVATION_EFFECTIVE, OBSERVATION_VALUE } from './fhirpath';
import type {
  Comparator,
  Finding,
  LabValue,
  NotEvaluableReason,
  NotEvaluableValue,
  ReferenceRange,
  UsedStatus,
} from './types';

import type { AnalyteDefinition, FallbackBand } from '../knowledge/analytes';
import { parseRangeText, pickBand } from './ranges';
import { affine, roundConverted } from './units';
import { arr, errorMessage, isRecord, type Json, num, records, str } from './util';
import { UCUM, type AnalyteId, type Coding } from '../vocabulary';

/** The accumulator, plus the epoch ms of each `labs[i].time` (parsed once when the value was read). */
export interface LabAcc extends Acc {
  labMs: number[];
  /** The context patient's birth date (epoch ms), for age-banded fallback ranges. */
  birthMs?: number | undefined;
  /** An amended or corrected Observation was read (./supersede.ts then runs). */
  correctionSeen?: boolean;
}

const USED: ReadonlySet<string> = new Set(['final', 'amended', 'corrected', 'preliminary']);
const DROPPED: ReadonlySet<string> = new Set(['entered-in-error', 'cancelled']);
const COMPARATORS: Record<string, Comparator> = { '<': '<', '<=': '<=', '>=': '>=', '>': '>', '≤': '<=', '≥': '>=' };

type TimeSource = LabValue['timeSource'];

interface ObsTime {
  time: string;
  timeSource: TimeSource;
  /** `time` as epoch ms (parsed once here; the duplicate/conflict resolution and sorting reuse it). */
  ms: number;
}

interface AnalyteMatch {
  analyte: AnalyteId;
  coding: Coding;
}

function matchAnalyte(acc: Acc, concept: unknown, source: string): AnalyteMatch | undefined {
  const hit = firstMatch(concept, acc.t.codes, acc.t.analyteByCode);
  if (!hit) return undefined;
  // A second coding mapping to a different analyte is a configuration or feed error: say so, keep the first.
  const list = isRecord(concept) && Array.isArray(concept.coding) ? concept.coding : [];
  if (list.length > 1) for (const c of codingsOf(concept)) {
    const key = acc.t.codes.key(c.system, c.code);
    const other = key === undefined ? undefined : acc.t.analyteByCode.get(key);
    if (other !== undefined && other !== hit.value) {
      acc.issues.push({
        severity: 'warning',
        code: 'ambiguous-analyte-code',
        message: `codings map to both ${hit.value} and ${other}; used ${hit.value} (first coding)`,
        source,
      });
      break;
    }
  }
  return { analyte: hit.value, coding: hit.coding };
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

function observationTime(acc: Acc, res: Json, effective: FieldNode[]): ObsTime | undefined {
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
function quantityUnit(acc: Acc, q: Json, analyte: AnalyteId): string | undefined {
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

type ReadResult = RawValue | { fail: NotEvaluableReason; reason: string; original: NotEvaluableValue['original'] };

function readValue(acc: Acc, node: FieldNode, analyte: AnalyteId): ReadResult {
  const v = node.value;
  if ((node.type === 'Quantity' || node.type === 'SimpleQuantity') && isRecord(v)) {
    const unit = quantityUnit(acc, v, analyte);
    const originalUnit = str(v.unit) ?? str(v.code);
    const rawNum = v.value;
    const original: RawValue['original'] = { value: typeof rawNum === 'number' || typeof rawNum === 'string' ? rawNum : String(rawNum) };
    if (originalUnit) original.unit = originalUnit;
    if (typeof rawNum === 'string' && parseNumericString(rawNum) !== undefined) {
      // A number sent as a JSON string breaks the Quantity datatype: the sending interface is suspect (units too).
      return { fail: 'implausible', reason: `valueQuantity.value is the string "${rawNum.slice(0, 20)}", not a number`, original };
    }
    if (typeof rawNum === 'number' && !Number.isFinite(rawNum)) {
      return { fail: 'implausible', reason: 'valueQuantity.value is not a finite number', original };
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

function interpretationCodes(element: Json): string[] | undefined {
  const out: string[] = [];
  for (const concept of arr(element.interpretation)) {
    for (const code of plainCodes(concept)) if (!out.includes(code)) out.push(code);
  }
  return out.length ? out : undefined;
}

/** The lab's reason for no result (dataAbsentReason text, else a coding's display, else its code), if any. */
function dataAbsent(element: Json): string | undefined {
  const dar = element.dataAbsentReason;
  if (!isRecord(dar)) return undefined;
  return textsOf(dar)[0] ?? plainCodes(dar)[0] ?? 'unspecified';
}

function notEvaluable(
  acc: Acc,
  match: AnalyteMatch,
  when: ObsTime | undefined,
  source: string,
  reasonCode: NotEvaluableReason,
  reason: string,
  original: NotEvaluableValue['original'] = {},
  detail?: string,
): void {
  const { analyte, coding } = match;
  acc.notEvaluable.push({ analyte, reason, reasonCode, ...(when ? { time: when.time } : {}), original, source, code: coding, ...(detail !== undefined ? { detail } : {}) });
  if (reasonCode === 'implausible') {
    const label = acc.t.knowledge.analytes.analytes[analyte].label;
    acc.issues.push({ severity: 'warning', code: 'implausible-value', message: `${label}: ${reason}; not used (implausible value, check units)`, source });
  }
}

/** Outside the analyte's plausibility limits ([design], knowledge base), or not finite: the reason, else undefined. */
function implausible(p: AnalyteDefinition['plausible'], value: number, unit: string): string | undefined {
  if (!Number.isFinite(value)) return 'the converted value is not a finite number';
  if (p === undefined) return undefined;
  if ((p.min !== undefined && value < p.min) || (p.max !== undefined && value > p.max)) {
    const limits = p.min !== undefined && p.max !== undefined ? `${p.min}–${p.max}` : p.min !== undefined ? `≥ ${p.min}` : `≤ ${p.max}`;
    return `${value} ${unit} is outside the plausible range ${limits} ${unit}`;
  }
  return undefined;
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

function emitValue(
  acc: LabAcc,
  match: AnalyteMatch,
  node: FieldNode | undefined,
  element: Json,
  when: ObsTime | undefined,
  status: UsedStatus,
  source: string,
): void {
  const { analyte, coding } = match;
  if (!node) {
    const absent = dataAbsent(element);
    if (absent !== undefined) notEvaluable(acc, match, when, source, 'data-absent', `no usable result: ${absent}`, {}, absent);
    else notEvaluable(acc, match, when, source, 'no-value', 'no value');
    return;
  }
  const read = readValue(acc, node, analyte);
  if ('fail' in read) return notEvaluable(acc, match, when, source, read.fail, read.reason, read.original);
  if (!when) return notEvaluable(acc, match, when, source, 'no-time', 'no usable effective time or issued date', read.original);
  const conv = acc.t.units.toCanonical(read.value, read.unit, analyte);
  if (!conv.ok) return notEvaluable(acc, match, when, source, conv.reasonCode, conv.reason, read.original);
  const def = acc.t.knowledge.analytes.analytes[analyte];
  const odd = implausible(def.plausible, conv.value, conv.unit);
  if (odd !== undefined) return notEvaluable(acc, match, when, source, 'implausible', odd, read.original);

  const interpretation = element.interpretation === undefined ? undefined : interpretationCodes(element);
  const lab: LabValue = { analyte, value: conv.value, unit: conv.unit, time: when.time, timeSource: when.timeSource, status, original: read.original, code: coding, source };
  if (read.comparator) lab.comparator = read.comparator;
  setRange(acc, lab, element, def, read.unit, when.ms);
  if (interpretation) lab.interpretation = interpretation;
  acc.labs.push(lab);
  acc.labMs.push(when.ms);
}

/** The lab's range (Quantities, else readable text), else the fallback for the patient's age band. */
function setRange(acc: LabAcc, lab: LabValue, element: Json, def: AnalyteDefinition, valueUnitRaw: string | undefined, atMs: number): void {
  let referenceRange: ReferenceRange | undefined;
  const range = element.referenceRange === undefined ? undefined : labRange(acc, element, lab.analyte, valueUnitRaw, lab.unit);
  if (range === 'failed') {
    acc.issues.push({
      severity: 'info',
      code: 'reference-range-not-convertible',
      message: `reference range of ${def.label} not convertible to ${lab.unit}; ${def.fallbackRanges ? 'used the fallback range' : 'no range used'}`,
      source: lab.source,
    });
  } else if (range !== undefined && 'unread' in range) lab.unreadRangeText = range.unread;
  else referenceRange = range;
  if (!referenceRange && def.fallbackRanges && def.canonicalUnit !== null) referenceRange = fallbackFor(acc, def.fallbackRanges, def.canonicalUnit, atMs);
  if (referenceRange) lab.referenceRange = referenceRange;
}

/** Finding rows an Observation carries: by its code (value = present/absent) or by a coded value. */
function observationFindings(acc: Acc, res: Json, codings: Coding[], when: ObsTime | undefined, source: string): void {
  const byCode = codings.flatMap((c) => {
    const key = acc.t.codes.key(c.system, c.code);
    return (key === undefined ? [] : (acc.t.findingsByCode.get(key) ?? [])).map((f) => ({ f, coding: c }));
  });
  const valueConcept = res.valueCodeableConcept;
  const valueCodings = codingsOf(valueConcept);
  const byValue = byCode.length
    ? []
    : valueCodings.flatMap((c) => {
        const key = acc.t.codes.key(c.system, c.code);
        return (key === undefined ? [] : (acc.t.findingsByCode.get(key) ?? [])).map((f) => ({ f, coding: c }));
      });
  if (!byCode.length && !byValue.length) return;

  let present: boolean | undefined = true;
  if (byCode.length) {
    if (typeof res.valueBoolean === 'boolean') present = res.valueBoolean;
    else if (isRecord(valueConcept)) {
      const keys = valueCodings.map((c) => acc.t.codes.key(c.system, c.code));
      if (keys.some((k) => k !== undefined && acc.t.negativeValues.has(k))) present = false;
      else if (keys.some((k) => k !== undefined && (acc.t.positiveValues.has(k) || acc.t.findingsByCode.has(k)))) present = true;
      else present = undefined;
    } else if (dataAbsent(res) !== undefined) present = undefined;
    else if (Object.keys(res).some((k) => k.startsWith('value'))) present = undefined;
    // No value at all: the Observation itself asserts the finding.
  }
  if (present === undefined) {
    acc.issues.push({
      severity: 'info',
      code: 'finding-value-uninterpretable',
      message: 'finding Observation has a value that is neither boolean nor a configured positive/negative code; not used',
      source,
    });
    return;
  }
  const seen = new Set<string>();
  for (const { f, coding } of [...byCode, ...byValue]) {
    for (const kind of f.kinds) {
      if (seen.has(kind)) continue;
      seen.add(kind);
      const finding: Finding = {
        kind,
        present,
        ...(when ? { time: when.time } : {}),
        ...(f.grade !== undefined ? { grade: f.grade } : {}),
        ...(f.detail !== undefined ? { detail: f.detail } : {}),
        code: coding,
        source,
      };
      acc.findings.push(finding);
    }
  }
}

interface ComponentMatch {
  index: number;
  element: Json;
  match: AnalyteMatch;
  /** The component's `value[x]` node (first one, as FHIRPath returns it). */
  node?: FieldNode | undefined;
}

interface Candidate {
  res: Json;
  source: string;
  status: UsedStatus;
  main: AnalyteMatch | undefined;
  componentMatches: ComponentMatch[];
  findingCandidate: boolean;
  /** `effective[x]` nodes and the main `value[x]` node, filled by the fast path or by FHIRPath. */
  effective: FieldNode[];
  value: FieldNode | undefined;
}

const NO_COMPONENTS: ComponentMatch[] = [];
const NO_NODES: FieldNode[] = [];

/** Plain-TypeScript prefilter: is this Observation about a known analyte or finding, with a usable status? */
function prefilter(acc: LabAcc, res: Json, source: string): Candidate | undefined {
  // One pass over Observation.code's codings answers both "which analyte" and "is it a finding code".
  const { codes, analyteByCode, findingsByCode } = acc.t;
  let main: AnalyteMatch | undefined;
  let findingCandidate = false;
  const concept = res.code;
  if (isRecord(concept) && Array.isArray(concept.coding)) {
    const list = concept.coding;
    let analyteSeen = false;
    for (let i = 0; i < list.length; i++) {
      const c: unknown = list[i];
      if (!isRecord(c)) continue;
      const key = codes.key(c.system, c.code);
      if (key === undefined) continue;
      if (!analyteSeen && analyteByCode.has(key)) analyteSeen = true;
      if (!findingCandidate && findingsByCode.has(key)) findingCandidate = true;
    }
    if (analyteSeen) main = matchAnalyte(acc, concept, source);
  }
  const components = res.component;
  let componentMatches = NO_COMPONENTS;
  if (Array.isArray(components)) {
    for (let index = 0; index < components.length; index++) {
      const c: unknown = components[index];
      if (!isRecord(c) || !anyMatch(c.code, codes, analyteByCode)) continue;
      const m = matchAnalyte(acc, c.code, `${source}#component[${index}]`);
      if (m) {
        if (componentMatches === NO_COMPONENTS) componentMatches = [];
        componentMatches.push({ index, element: c, match: m });
      }
    }
  }
  if (!findingCandidate && res.valueCodeableConcept !== undefined) findingCandidate = anyMatch(res.valueCodeableConcept, codes, findingsByCode);
  if (!main && componentMatches.length === 0 && !findingCandidate) return undefined;

  const statusText = str(res.status);
  if (statusText === undefined || !USED.has(statusText)) {
    const dropped = statusText !== undefined && DROPPED.has(statusText);
    acc.issues.push({
      severity: 'info',
      code: dropped ? `${statusText}-skipped` : 'status-not-usable',
      message: dropped ? `Observation with status ${statusText} skipped` : `Observation with status ${statusText ?? '(none)'} not used`,
      source,
    });
    return undefined;
  }
  if (statusText === 'amended' || statusText === 'corrected') acc.correctionSeen = true;
  return { res, source, status: statusText as UsedStatus, main, componentMatches, findingCandidate, effective: NO_NODES, value: undefined };
}

/**
 * The fast path: the candidate's `effective[x]`, `value[x]` and matched components' `value[x]` read in plain
 * TypeScript (`choiceField`), exactly as the compiled FHIRPath would return them. False (nothing written) when
 * any of them has a shape the fast path does not handle; the candidate then goes through FHIRPath.
 */
function fastFields(c: Candidate): boolean {
  const effective = choiceField(c.res, OBSERVATION_EFFECTIVE);
  if (effective === NOT_HANDLED) return false;
  let value: FieldNode | undefined;
  if (c.main) {
    const v = choiceField(c.res, OBSERVATION_VALUE);
    if (v === NOT_HANDLED) return false;
    value = v;
  }
  for (const m of c.componentMatches) {
    if (m.element.resourceType !== undefined) return false;
    const v = choiceField(m.element, COMPONENT_VALUE, m.index);
    if (v === NOT_HANDLED) return false;
    m.node = v;
  }
  if (effective) c.effective = [effective];
  c.value = value;
  return true;
}

/** The reference path: FHIRPath evaluated once per field over all the given candidates (see `fieldBatch`). */
function fhirpathFields(acc: Acc, list: Candidate[]): void {
  const batch = (name: FieldName, subset: Candidate[]) =>
    fieldBatch(
      name,
      subset.map((c) => c.res),
      acc.issues,
      subset.map((c) => c.source),
    );
  const effective = batch('observationEffective', list);
  const values = batch('observationValue', list.filter((c) => c.main));
  const componentValues = batch('observationComponentValue', list.filter((c) => c.componentMatches.length));
  for (const c of list) {
    c.effective = effective.get(c.res) ?? [];
    if (c.main) c.value = values.get(c.res)?.[0];
    if (c.componentMatches.length) {
      const nodes = new Map<number, FieldNode>();
      for (const n of componentValues.get(c.res) ?? []) {
        if (n.parentIndex !== undefined && !nodes.has(n.parentIndex)) nodes.set(n.parentIndex, n);
      }
      for (const m of c.componentMatches) m.node = nodes.get(m.index);
    }
  }
}

export interface ObservationOptions {
  /** Use FHIRPath for every field (the reference implementation; differential tests compare against it). */
  fhirpathOnly?: boolean;
}

/**
 * All Observations of the input (those `keep` accepts: patient scoping): prefiltered by code and status in TypeScript, then field access by the fast
 * path where it recognises the shape and by FHIRPath (batched) for the rest, then values emitted.
 */
export function processObservations<E extends { resource: Json; key: string }>(
  acc: LabAcc,
  entries: readonly E[],
  options: ObservationOptions = {},
  keep: (e: E) => boolean = () => true,
): void {
  const slow: Candidate[] = [];
  for (const e of entries) {
    if (!keep(e)) continue;
    let c: Candidate | undefined;
    let fast = false;
    try {
      c = prefilter(acc, e.resource, e.key);
      if (!c) continue;
      if (!options.fhirpathOnly) {
        try {
          fast = fastFields(c);
        } catch {
          fast = false; // exotic objects (throwing getters…): FHIRPath decides
        }
      }
    } catch (err) {
      acc.issues.push({ severity: 'warning', code: 'resource-not-processed', message: `Observation could not be read: ${errorMessage(err)}`, source: e.key });
      continue;
    }
    // Emitted while the resource is still in the CPU cache (a second pass over a large prefetch re-reads it from
    // memory); output order does not matter, every list is sorted later.
    if (fast) emitCandidate(acc, c);
    else slow.push(c);
  }
  if (slow.length) {
    fhirpathFields(acc, slow);
    for (const c of slow) emitCandidate(acc, c);
  }
}

function emitCandidate(acc: LabAcc, c: Candidate): void {
  try {
    const when = observationTime(acc, c.res, c.effective);
    if (c.main) emitValue(acc, c.main, c.value, c.res, when, c.status, c.source);
    for (const { index, element, match, node } of c.componentMatches) {
      emitValue(acc, match, node, element, when, c.status, `${c.source}#component[${index}]`);
    }
    if (c.findingCandidate) observationFindings(acc, c.res, codingsOf(c.res.code), when, c.source);
  } catch (err) {
    acc.issues.push({ severity: 'warning', code: 'resource-not-processed', message: `Observation could not be read: ${errorMessage(err)}`, source: c.source });
  }
}
