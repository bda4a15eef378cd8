/**
 * Observation → lab values and Observation-borne findings, in three steps: which Observations are read (by code and
 * status, ./observation-match.ts), their fields read by the fast path or by FHIRPath (./observation-fields.ts), then
 * each value emitted: read (./observation-values.ts), converted to the analyte's canonical unit (./units.ts),
 * checked for plausibility, given its reference range (./observation-ranges.ts), with `Observation/id` or
 * `Observation/id#component[i]` as source. A value that cannot be used is kept as not evaluable with a reason; an
 * implausible one (not finite, outside the analyte's plausibility limits [design], or a Quantity whose value is a
 * JSON string) also raises an `implausible-value` warning: "check units".
 */
import type { Acc, LabAcc } from './context';
import { codingsOf } from './codes';
import type { FieldNode } from './fhirpath';
import type { LabValue, NotEvaluableReason, NotEvaluableValue, UsedStatus } from './types';
import { errorMessage, type Json } from './util';
import { fastFields, fhirpathFields } from './observation-fields';
import { observationFindings } from './observation-findings';
import { prefilter, type AnalyteMatch, type Candidate } from './observation-match';
import { setRange } from './observation-ranges';
import { dataAbsent, implausible, interpretationCodes, observationTime, readValue, type ObsTime } from './observation-values';
import { dataIssue, type TermRef } from '../vocabulary';

function notEvaluable(
  acc: Acc,
  match: AnalyteMatch,
  when: ObsTime | undefined,
  source: string,
  reasonCode: NotEvaluableReason,
  reason: string,
  original: NotEvaluableValue['original'] = {},
  detail?: string,
  why?: TermRef,
): void {
  const { analyte, coding } = match;
  acc.notEvaluable.push({ analyte, reason, reasonCode, ...(when ? { time: when.time } : {}), original, source, code: coding, ...(detail !== undefined ? { detail } : {}) });
  if (reasonCode === 'implausible' && why !== undefined) {
    const label = acc.t.knowledge.analytes.analytes[analyte].label;
    acc.issues.push(dataIssue('warning', 'implausible-value', { analyte: label, why }, source));
  }
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
  if ('fail' in read) return notEvaluable(acc, match, when, source, read.fail, read.reason, read.original, undefined, read.why);
  if (!when) return notEvaluable(acc, match, when, source, 'no-time', 'no usable effective time or issued date', read.original);
  const conv = acc.t.units.toCanonical(read.value, read.unit, analyte);
  if (!conv.ok) return notEvaluable(acc, match, when, source, conv.reasonCode, conv.reason, read.original);
  const def = acc.t.knowledge.analytes.analytes[analyte];
  const odd = implausible(def.plausible, conv.value, conv.unit);
  if (odd !== undefined) return notEvaluable(acc, match, when, source, 'implausible', odd.term, read.original, undefined, odd);

  const interpretation = element.interpretation === undefined ? undefined : interpretationCodes(element);
  const lab: LabValue = { analyte, value: conv.value, unit: conv.unit, time: when.time, timeSource: when.timeSource, status, original: read.original, code: coding, source };
  if (read.comparator) lab.comparator = read.comparator;
  setRange(acc, lab, element, def, read.unit, when.ms);
  if (interpretation) lab.interpretation = interpretation;
  acc.labs.push(lab);
  acc.labMs.push(when.ms);
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
      acc.issues.push(dataIssue('warning', 'resource-not-processed', { type: 'Observation', reason: errorMessage(err) }, e.key));
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
    acc.issues.push(dataIssue('warning', 'resource-not-processed', { type: 'Observation', reason: errorMessage(err) }, c.source));
  }
}
