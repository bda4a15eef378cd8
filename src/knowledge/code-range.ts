/**
 * How codes compare in a finding code range (no zod here: the evidence page bundles the timeline, which reads it).
 * ICD-10 codes are compared without the dot, in upper case ("A41.9" = "a419"); other systems as written, trimmed.
 */
export function normalizeRangeCode(system: string, code: string): string {
  return /icd-?10/i.test(system) ? code.replace(/\./g, '').toUpperCase().trim() : code.trim();
}
