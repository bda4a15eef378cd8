/**
 * FHIRPath field access (HL7 fhirpath.js with the R4 model), compiled once per process.
 *
 * FHIRPath is used where the R4 model matters: choice-typed elements (`value[x]`, `effective[x]`,
 * `onset[x]`, `medication[x]`, `performed[x]`…), whose concrete type comes back with each node. Plain
 * fields (status, code.coding, id, subject) are read in TypeScript: the builder prefilters resources by
 * code that way before paying for FHIRPath (see bench/timeline.bench.ts for the measurements).
 *
 * Every evaluation passes `%resource` (fhirpath.js does not set it) and is wrapped: fhirpath.js throws
 * plain strings on some type errors, which become a `fhirpath-error` DataIssue instead of escaping.
 */
import { compile, resolveInternalTypes } from 'fhirpath';
import * as r4 from 'fhirpath/fhir-context/r4';
import type { ResourceNode } from 'fhirpath';
import type { DataIssue } from './types';
import { errorMessage } from './util';

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

/** Evaluate a compiled field on a resource; errors become a DataIssue and an empty result. */
export function field(name: FieldName, resource: object, issues: DataIssue[], source: string): FieldNode[] {
  try {
    const nodes = compiledFields()[name](resource, { resource });
    if (!Array.isArray(nodes)) return [];
    return nodes.map((n: unknown) => {
      const node = n as Partial<ResourceNode> | null;
      const isNode = typeof node === 'object' && node !== null && 'data' in node;
      return {
        type: isNode ? (node.fhirNodeDataType ?? undefined) : undefined,
        value: resolveInternalTypes(isNode ? node : n),
        parentIndex: isNode ? (node.parentResNode?.index ?? undefined) : undefined,
      };
    });
  } catch (e) {
    issues.push({
      severity: 'warning',
      code: 'fhirpath-error',
      message: `FHIRPath ${EXPRESSIONS[name]} failed: ${errorMessage(e)}`,
      source,
    });
    return [];
  }
}
