/**
 * Reading an Observation's `effective[x]`, `value[x]` and components' `value[x]`: a plain-TypeScript fast path for
 * the shapes it recognises, FHIRPath (the reference implementation, compiled once, evaluated in batches) for the
 * rest. Both return the same nodes; the differential tests hold them to that.
 */
import type { Acc } from './context';
import {
  choiceField,
  COMPONENT_VALUE,
  fieldBatch,
  type FieldName,
  type FieldNode,
  NOT_HANDLED,
  OBSERVATION_EFFECTIVE,
  OBSERVATION_VALUE,
} from './fhirpath';
import type { Candidate } from './observation-match';

/**
 * The fast path: the candidate's `effective[x]`, `value[x]` and matched components' `value[x]` read in plain
 * TypeScript (`choiceField`), exactly as the compiled FHIRPath would return them. False (nothing written) when
 * any of them has a shape the fast path does not handle; the candidate then goes through FHIRPath.
 */
export function fastFields(c: Candidate): boolean {
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
export function fhirpathFields(acc: Acc, list: Candidate[]): void {
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
