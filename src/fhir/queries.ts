import type { AnalyteId } from '../vocabulary';
/**
 * The FHIR data the service needs, as ONE list. Discovery's prefetch templates and the fallback fetch
 * (when a key is missing) are both generated from it, so they cannot drift apart.
 *
 * Templates stay inside the CDS Hooks 2.0 prefetch subset: instance read; type search with `patient`,
 * token equality on `code` (or `combo-code`), `_count` and `_sort`. 2.0 has no date tokens, so searches are
 * bounded by `_sort=-date&_count=N` and the time windows are applied in code.
 *
 * `combo-code` (FHIR R4 Observation search parameter: Observation.code or Observation.component.code, a token)
 * finds results a laboratory sends as components of one panel Observation (a CBC with its platelet, hemoglobin,
 * neutrophil and leukocyte values as `component`), which `code` never matches. It is used where panels with
 * components are common, the blood count; `hasMember` panels need nothing extra (their members are
 * Observations with their own codes).
 */

export type QueryDef =
  | { key: string; kind: 'read'; resourceType: 'Patient'; purpose: string }
  | {
      key: string;
      kind: 'observations';
      analytes: readonly AnalyteId[];
      /** `combo-code` also matches component codes (panels); default `code`. */
      searchParam?: 'code' | 'combo-code';
      purpose: string;
    }
  | { key: string; kind: 'finding-observations'; purpose: string }
  | {
      key: string;
      kind: 'search';
      resourceType: 'Condition' | 'MedicationRequest' | 'MedicationAdministration' | 'MedicationStatement' | 'Procedure';
      sort?: string;
      purpose: string;
    };

export const QUERIES: readonly QueryDef[] = [
  { key: 'patient', kind: 'read', resourceType: 'Patient', purpose: 'age (neonatal hemoglobin threshold) and identity check' },
  {
    key: 'labsChemistry',
    kind: 'observations',
    analytes: ['ferritin', 'alt', 'ast', 'ldh', 'bilirubin-total', 'bilirubin-direct', 'triglycerides', 'creatinine'],
    purpose: 'ferritin, transaminases, LDH, bilirubin, triglycerides, creatinine',
  },
  {
    key: 'labsBloodCount',
    kind: 'observations',
    analytes: ['platelets', 'hemoglobin', 'anc', 'wbc'],
    searchParam: 'combo-code',
    purpose: 'blood counts, also as components of a CBC panel Observation',
  },
  {
    key: 'labsCoagulation',
    kind: 'observations',
    analytes: ['fibrinogen', 'pt', 'inr', 'aptt', 'd-dimer'],
    purpose: 'fibrinogen and coagulation',
  },
  { key: 'labsInflammation', kind: 'observations', analytes: ['crp', 'il6', 'scd25'], purpose: 'CRP, IL-6, sCD25' },
  { key: 'vitalsTemperature', kind: 'observations', analytes: ['temperature'], purpose: 'body temperature' },
  { key: 'findingObservations', kind: 'finding-observations', purpose: 'hemophagocytosis, NK activity, organomegaly' },
  { key: 'conditions', kind: 'search', resourceType: 'Condition', purpose: 'CRS, organomegaly, HLH, immunosuppression, infection' },
  { key: 'medicationRequests', kind: 'search', resourceType: 'MedicationRequest', purpose: 'trigger therapies' },
  { key: 'medicationAdministrations', kind: 'search', resourceType: 'MedicationAdministration', purpose: 'trigger therapies, infusion dates' },
  { key: 'medicationStatements', kind: 'search', resourceType: 'MedicationStatement', purpose: 'trigger therapies' },
  { key: 'procedures', kind: 'search', resourceType: 'Procedure', purpose: 'CAR T cell infusion (day 0)' },
];

export interface TemplateInputs {
  /** `system|code` tokens for each analyte (from the knowledge base's analyte registry). */
  analyteTokens(analytes: readonly AnalyteId[]): string[];
  /** `system|code` tokens of findings recorded as Observations. */
  findingTokens(): string[];
  observationCount: number;
  searchCount: number;
}

const PATIENT = '{{context.patientId}}';

/** Query key → CDS Hooks prefetch template. */
export function buildPrefetchTemplates(inputs: TemplateInputs): Record<string, string> {
  const out: Record<string, string> = {};
  for (const q of QUERIES) {
    switch (q.kind) {
      case 'read':
        out[q.key] = `${q.resourceType}/${PATIENT}`;
        break;
      case 'observations':
      case 'finding-observations': {
        const tokens = q.kind === 'observations' ? inputs.analyteTokens(q.analytes) : inputs.findingTokens();
        if (tokens.length === 0) break; // a site may empty a code list; never emit `code=` (it would match nothing)
        const count = q.kind === 'observations' ? inputs.observationCount : inputs.searchCount;
        const param = q.kind === 'observations' ? (q.searchParam ?? 'code') : 'code';
        out[q.key] = `Observation?patient=Patient/${PATIENT}&${param}=${tokens.join(',')}&_sort=-date&_count=${count}`;
        break;
      }
      case 'search':
        out[q.key] = `${q.resourceType}?patient=Patient/${PATIENT}&_count=${inputs.searchCount}`;
        break;
    }
  }
  return out;
}

/** Fills a template's tokens from the hook context. Only the 2.0 tokens this service uses are supported. */
export function fillTemplate(template: string, context: { patientId: string; userId: string; encounterId?: string }): string {
  return template.replace(/\{\{\s*context\.(patientId|userId|encounterId)\s*\}\}/g, (_m, name: string) =>
    encodeURIComponent(context[name as 'patientId' | 'userId' | 'encounterId'] ?? ''),
  );
}
