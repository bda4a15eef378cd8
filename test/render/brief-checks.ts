/** What no card text may contain (brief or full detail, summary): things a clinician cannot use. */
export const FORBIDDEN: ReadonlyArray<readonly [string, RegExp]> = [
  ['resource id', /\b(?:Observation|Condition|MedicationAdministration|MedicationRequest|MedicationStatement|Procedure|Patient|Encounter|DiagnosticReport|Medication)\/[A-Za-z0-9\-.]+/],
  ['URL', /https?:\/\//],
  ['internal document reference', /CC §|docs\//],
  ['raw analyte id', /\b(?:il6|scd25|anc|d-dimer|bilirubin-total|bilirubin-direct)\b(?!\))/],
  ['duplicated name', /\b([A-Za-z][\w-]*(?: [\w-]+){0,3}) \(\1\)/i],
];

/** GFM tables in a Markdown text (one delimiter row each). */
export function tableCount(md: string): number {
  return md.split('\n').filter((l) => /^\|(?:\s*:?-+:?\s*\|)+$/.test(l)).length;
}
