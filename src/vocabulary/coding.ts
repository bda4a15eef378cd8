/**
 * Codes and the code systems the shipped knowledge base names. Codes are matched by system + code, never by
 * display text.
 */

export interface Coding {
  system: string;
  code: string;
  display?: string;
}

export const LOINC = 'http://loinc.org';
export const SNOMED = 'http://snomed.info/sct';
export const ICD10CM = 'http://hl7.org/fhir/sid/icd-10-cm';
export const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
export const UCUM = 'http://unitsofmeasure.org';
