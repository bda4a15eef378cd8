/**
 * FHIRPath field access (HL7 fhirpath.js with the R4 model), compiled once per process.
 *
 * FHIRPath is used where the R4 model matters: choice-typed elements (`value[x]`, `effective[x]`,
 * `onset[x]`, `medication[x]`, `performed[x]`…), whose concrete type comes back with each node. Plain
 * fields (status, code.coding, id, subject) are read in TypeScript: the builder prefilters resources by
 * code that way before paying for FHIRPath (see bench/timeline.bench.ts for the measurements).
 *
 * The expressions stay the specification. For Observations (the bulk of any prefetch), `choiceField` below
 * reads `value[x]`, `effective[x]` and `component.value[x]` in plain TypeScript with the same R4 model rules
 * and declines any shape it does not reproduce exactly; declined resources go through FHIRPath. The
 * differential tests (test/timeline/differential*.test.ts) hold the two paths to identical timelines.
 *
 * Every evaluation passes `%resource` (fhirpath.js does not set it) and is wrapped: fhirpath.js throws
 * plain strings on some type errors, which become a `fhirpath-error` DataIssue instead of escaping.
 */
import { compile, resolveInternalTypes } from 'fhirpath';
import * as r4 from 'fhirpath/fhir-context/r4';
import type { ResourceNode } from 'fhirpath';
import type { DataIssue } from './types';
import { errorMessage, type Json } from './util';
import { dataIssue } from '../vocabulary';

/** One result of a field access: FHIR type of the node (`Quantity`, `dateTime`, `Period`…) and its plain value. */
export interface FieldNode {
  type: string | undefined;
  value: unknown;
  /** Index of the parent element in its array (e.g. the component index for `Observation.component.value`). */
  parentIndex: number | undefined;
}

const EXPRESSIONS = {
  observationValue: 'Observation.value',
  observationEffective: 'Observation.effective',
  observationComponentValue: 'Observation.component.value',
  conditionOnset: 'Condition.onset',
  conditionAbatement: 'Condition.abatement',
  administrationMedication: 'MedicationAdministration.medication',
  administrationEffective: 'MedicationAdministration.effective',
  requestMedication: 'MedicationRequest.medication',
  statementMedication: 'MedicationStatement.medication',
  statementEffective: 'MedicationStatement.effective',
  procedurePerformed: 'Procedure.performed',
} as const;
export type FieldName = keyof typeof EXPRESSIONS;

type Compiled = (resource: unknown, env?: Record<string, unknown>) => unknown;

let compiled: Record<FieldName, Compiled> | undefined;

/** Compile every expression (once per process; the builder calls this at construction). */
export function compiledFields(): Record<FieldName, Compiled> {
  if (!compiled) {
    const out = {} as Record<FieldName, Compiled>;
    for (const [name, expr] of Object.entries(EXPRESSIONS) as [FieldName, string][]) {
      out[name] = compile(expr, r4, { resolveInternalTypes: false }) as Compiled;
    }
    compiled = out;
  }
  return compiled;
}

function isPlainJson(x: unknown): boolean {
  if (typeof x === 'string' || typeof x === 'boolean') return true;
  if (typeof x !== 'object' || x === null) return false;
  const proto: unknown = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

function toField(n: unknown): FieldNode {
  const node = n as Partial<ResourceNode> | null;
  const isNode = typeof node === 'object' && node !== null && 'data' in node;
  const data: unknown = isNode ? node.data : n;
  return {
    type: isNode ? (node.fhirNodeDataType ?? undefined) : undefined,
    // Raw JSON (objects, strings, booleans) is used as is; fhirpath.js internal types (decimals, dates) resolved.
    value: isPlainJson(data) ? data : resolveInternalTypes(isNode ? node : n),
    parentIndex: isNode ? (node.parentResNode?.index ?? undefined) : undefined,
  };
}

/** The resource a result node belongs to (the root of its parent chain). */
function ownerOf(n: unknown): unknown {
  let node = n as Partial<ResourceNode> | null | undefined;
  for (let depth = 0; node && node.parentResNode && depth < 64; depth++) node = node.parentResNode;
  return node?.data;
}

/**
 * Evaluate a compiled field once over many resources (fhirpath.js accepts a collection as input), which
 * halves the per-resource cost; results are handed back per resource. If the batch evaluation throws, every
 * resource is evaluated on its own so one malformed resource costs only its own fields.
 */
export function fieldBatch(name: FieldName, resources: readonly object[], issues: DataIssue[], sources: readonly string[]): Map<object, FieldNode[]> {
  const out = new Map<object, FieldNode[]>();
  if (resources.length === 0) return out;
  const members = new Set<unknown>(resources);
  try {
    const nodes = compiledFields()[name](resources, { resource: resources });
    if (Array.isArray(nodes)) {
      for (const n of nodes as unknown[]) {
        const owner = ownerOf(n);
        if (!members.has(owner)) continue;
        const list = out.get(owner as object);
        if (list) list.push(toField(n));
        else out.set(owner as object, [toField(n)]);
      }
    }
    return out;
  } catch {
    out.clear();
    resources.forEach((r, i) => out.set(r, field(name, r, issues, sources[i] ?? '')));
    return out;
  }
}

/** Evaluate a compiled field on a resource; errors become a DataIssue and an empty result. */
export function field(name: FieldName, resource: object, issues: DataIssue[], source: string): FieldNode[] {
  try {
    const nodes = compiledFields()[name](resource, { resource });
    return Array.isArray(nodes) ? (nodes as unknown[]).map(toField) : [];
  } catch (e) {
    issues.push(dataIssue('warning', 'fhirpath-error', { expression: EXPRESSIONS[name], reason: errorMessage(e) }, source));
    return [];
  }
}

/**
 * Plain-TypeScript reading of a choice-typed element (`Observation.value`, `Observation.effective`,
 * `Observation.component.value`) that reproduces what the compiled FHIRPath returns for the common shapes, and
 * declines (returns `null`) for everything else, which then goes through FHIRPath, the reference implementation.
 *
 * Rules taken from fhirpath.js with the R4 model (`makeChildResNodes`): the choice types are tried in the
 * model's order, and the first `<name><Type>` or `_<name><Type>` key that is not undefined decides the type.
 * Handled: a string or boolean, a safe integer, or a plain object without `resourceType`, with no `_` sibling.
 * Declined: primitive extensions (`_valueString`), null, arrays (several nodes), other numbers (fhirpath.js
 * wraps them as decimals), objects with a prototype, objects carrying `resourceType` (their type would change).
 */
export interface ChoiceSpec {
  readonly keys: readonly string[];
  readonly extensionKeys: readonly string[];
  /** FHIR type per key, from the R4 model's `path2Type`. */
  readonly types: readonly (string | undefined)[];
}

function choiceSpec(path: string): ChoiceSpec {
  const model = r4 as unknown as { choiceTypePaths: Record<string, string[]>; path2Type: Record<string, string> };
  const suffixes = model.choiceTypePaths[path] ?? [];
  const name = path.slice(path.lastIndexOf('.') + 1);
  return {
    keys: suffixes.map((t) => name + t),
    extensionKeys: suffixes.map((t) => `_${name}${t}`),
    types: suffixes.map((t) => model.path2Type[path + t]),
  };
}

export const OBSERVATION_VALUE: ChoiceSpec = choiceSpec('Observation.value');
/** Top-level choice fields of the other resources, read by `fieldFast`. */
const RESOURCE_FIELDS: Partial<Record<FieldName, { type: string; spec: ChoiceSpec }>> = {
  conditionOnset: { type: 'Condition', spec: choiceSpec('Condition.onset') },
  conditionAbatement: { type: 'Condition', spec: choiceSpec('Condition.abatement') },
  administrationMedication: { type: 'MedicationAdministration', spec: choiceSpec('MedicationAdministration.medication') },
  administrationEffective: { type: 'MedicationAdministration', spec: choiceSpec('MedicationAdministration.effective') },
  requestMedication: { type: 'MedicationRequest', spec: choiceSpec('MedicationRequest.medication') },
  statementMedication: { type: 'MedicationStatement', spec: choiceSpec('MedicationStatement.medication') },
  statementEffective: { type: 'MedicationStatement', spec: choiceSpec('MedicationStatement.effective') },
  procedurePerformed: { type: 'Procedure', spec: choiceSpec('Procedure.performed') },
};
export const OBSERVATION_EFFECTIVE: ChoiceSpec = choiceSpec('Observation.effective');
export const COMPONENT_VALUE: ChoiceSpec = choiceSpec('Observation.component.value');

/** Sentinel: the fast path does not recognise the shape; use FHIRPath. */
export const NOT_HANDLED = null;

/**
 * The single node FHIRPath would return for `spec` on `element` (undefined when it returns none), or
 * `NOT_HANDLED`. `element` must be a plain record without a truthy `resourceType` other than the resource's own.
 */
export function choiceField(element: Json, spec: ChoiceSpec, parentIndex?: number): FieldNode | undefined | null {
  const { keys, extensionKeys, types } = spec;
  for (let i = 0; i < keys.length; i++) {
    const v = element[keys[i] as string];
    const ext = element[extensionKeys[i] as string];
    if (v === undefined && ext === undefined) continue;
    if (ext !== undefined || v === null) return NOT_HANDLED;
    const t = typeof v;
    if (t === 'string' || t === 'boolean') return { type: types[i], value: v, parentIndex };
    if (t === 'number') {
      return Number.isSafeInteger(v) && !Object.is(v, -0) ? { type: types[i], value: v, parentIndex } : NOT_HANDLED;
    }
    if (t !== 'object' || Array.isArray(v)) return NOT_HANDLED;
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) return NOT_HANDLED;
    if ((v as Json).resourceType !== undefined) return NOT_HANDLED;
    return { type: types[i], value: v, parentIndex };
  }
  return undefined;
}

/**
 * `field()` through the plain-TypeScript reader where it applies (a top-level choice field of a resource of the
 * expected type, in a shape `choiceField` handles), else FHIRPath. An oncology prefetch can hold hundreds of
 * MedicationRequests and Conditions: 300 + 100 of them took 1.3 ms through FHIRPath, 0.9 ms this way.
 * Equality with `field()`: test/timeline/field-fast.test.ts.
 */
export function fieldFast(name: FieldName, resource: object, issues: DataIssue[], source: string): FieldNode[] {
  const f = RESOURCE_FIELDS[name];
  if (f !== undefined && (resource as Json).resourceType === f.type) {
    try {
      const node = choiceField(resource as Json, f.spec);
      if (node !== NOT_HANDLED) return node === undefined ? [] : [node];
    } catch {
      // exotic objects (throwing getters…): FHIRPath decides
    }
  }
  return field(name, resource, issues, source);
}

/** `fieldFast`, or FHIRPath only when the accumulator asks for the reference path. */
export function readField(acc: { issues: DataIssue[]; fhirpathOnly?: boolean }, name: FieldName, resource: object, source: string): FieldNode[] {
  return acc.fhirpathOnly ? field(name, resource, acc.issues, source) : fieldFast(name, resource, acc.issues, source);
}
