/**
 * Which Observations are read, decided in plain TypeScript before any field access: the analyte by code system +
 * code only (Observation.code and each component.code; never display text), or a finding code; and a usable status
 * (final, amended, corrected; preliminary used and flagged; entered-in-error and cancelled dropped with an info issue;
 * anything else not used).
 */
import type { Acc, LabAcc } from './context';
import { anyMatch, codingsOf, firstMatch } from './codes';
import type { FieldNode } from './fhirpath';
import type { UsedStatus } from './types';
import { isRecord, type Json, str } from './util';
import { dataAbsent } from './observation-values';
import { dataIssue, type AnalyteId, type Coding, type DataIssue } from '../vocabulary';

const USED: ReadonlySet<string> = new Set(['final', 'amended', 'corrected', 'preliminary']);

/** Why an Observation with an unusable status is not read: entered-in-error and cancelled are dropped outright. */
function statusIssue(status: string | undefined, source: string): DataIssue {
  const type = 'Observation';
  if (status === undefined) return dataIssue('info', 'status-missing', { type }, source);
  if (status === 'entered-in-error') return dataIssue('info', 'entered-in-error-skipped', { type }, source);
  if (status === 'cancelled') return dataIssue('info', 'cancelled-skipped', { type }, source);
  return dataIssue('info', 'status-not-usable', { type, status }, source);
}

export interface AnalyteMatch {
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
      acc.issues.push(dataIssue('warning', 'ambiguous-analyte-code', { used: hit.value, other }, source));
      break;
    }
  }
  return { analyte: hit.value, coding: hit.coding };
}

interface ComponentMatch {
  index: number;
  element: Json;
  match: AnalyteMatch;
  /** The component's `value[x]` node (first one, as FHIRPath returns it). */
  node?: FieldNode | undefined;
}

export interface Candidate {
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
export function prefilter(acc: LabAcc, res: Json, source: string): Candidate | undefined {
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
  // A cancelled test with the lab's reason and no value (specimen clotted) is an unusable result, not a missing
  // one: read it like a final result without a value (only `dataAbsentReason` can come of it).
  if (statusText === 'cancelled' && main && dataAbsent(res) !== undefined && !Object.keys(res).some((k) => k.startsWith('value'))) {
    return { res, source, status: 'final', main, componentMatches: NO_COMPONENTS, findingCandidate: false, effective: NO_NODES, value: undefined };
  }
  if (statusText === undefined || !USED.has(statusText)) {
    acc.issues.push(statusIssue(statusText, source));
    return undefined;
  }
  if (statusText === 'amended' || statusText === 'corrected') acc.correctionSeen = true;
  return { res, source, status: statusText as UsedStatus, main, componentMatches, findingCandidate, effective: NO_NODES, value: undefined };
}
