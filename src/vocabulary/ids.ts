/**
 * The ids every layer shares: the analytes the engine reads, the trigger-therapy classes it screens and the
 * clinical findings it recognises. The knowledge base keys its code lists by them, the timeline tags values with
 * them, the criteria and the cards name them. Plain constants (no zod): the evidence page's browser bundle
 * loads this module.
 */

/** Analytes the engine knows (each has its codes, canonical unit and ranges in the knowledge base). */
export const ANALYTE_IDS = [
  'ferritin',
  'alt',
  'ast',
  'platelets',
  'hemoglobin',
  'anc',
  'wbc',
  'fibrinogen',
  'triglycerides',
  'ldh',
  'bilirubin-total',
  'bilirubin-direct',
  'scd25',
  'crp',
  'il6',
  'pt',
  'inr',
  'aptt',
  'd-dimer',
  'creatinine',
  'temperature',
] as const;
export type AnalyteId = (typeof ANALYTE_IDS)[number];

export const EXPOSURE_CLASSES = [
  'car-t',
  't-cell-engager',
  'checkpoint-inhibitor',
  'btk-inhibitor',
  'lamotrigine',
  'tmp-smx',
] as const;
export type ExposureClass = (typeof EXPOSURE_CLASSES)[number];

/** IEC classes are screened for IEC-HS; the others for treatment-related HLH. */
export const IEC_CLASSES: readonly ExposureClass[] = ['car-t', 't-cell-engager'];

export const FINDING_KINDS = [
  'splenomegaly',
  'hepatomegaly',
  'hemophagocytosis',
  'nk-activity-low',
  'crs',
  'hlh-diagnosis',
  'immunosuppression',
  'infection',
  'disease-progression',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];
