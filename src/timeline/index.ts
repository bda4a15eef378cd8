/**
 * Clinical data layer (issue 3): FHIR R4 resources in, one normalised, explainable `PatientTimeline` out.
 *
 *   const build = createTimelineBuilder(knowledge);      // lookup tables + FHIRPath compiled once
 *   const timeline = build(resources, { patientId });    // pure, deterministic, never throws on bad input
 *
 * or `buildTimeline(resources, knowledge, options)`, which caches the builder per knowledge object.
 *
 * Patient scoping: with `options.patientId`, resources whose subject points at another patient (or at a
 * non-Patient subject such as a Group) are skipped with a `wrong-patient` warning, as are other Patient
 * resources. Without it, the single Patient resource in the input (if exactly one) plays that role; with
 * several, nothing is filtered and a `multiple-patients` warning is raised. Resources without a subject are
 * kept (prefetch queries are already scoped to the patient).
 */
import type { Knowledge } from '../knowledge';
import { processCondition } from './conditions';
import { buildTables, type Tables } from './context';
import { compiledFields } from './fhirpath';
import { finalizeIssues, mergeExposures, resolveLabs, sortFindings, sortNotEvaluable } from './finalize';
import { type Entry, ingest, parseReference, type RefIndex, subjectOf } from './ingest';
import { processMedication } from './medications';
import { siteTime } from './site-time';
import { type LabAcc, type ObservationOptions, processObservations } from './observations';
import type { DataIssue, PatientTimeline } from './types';
import { errorMessage, isRecord, str } from './util';

export * from './types';
export { toEpochMs, DAY_MS, HOUR_MS } from './time';
export { exposureWindows, type WindowInterval } from './windows';
export { siteTime, SiteTime, isValidTimeZone } from './site-time';

export interface BuildOptions {
  /** The patient in context (CDS Hooks `context.patientId`): other patients' resources are skipped. */
  patientId?: string;
  /**
   * The site's time zone (IANA name; default UTC): where dates and date-times without a zone are placed
   * (./site-time). Validated at start-up; an unknown name throws a RangeError.
   */
  timeZone?: string;
}

/**
 * Not for production use: `fhirpathOnly` reads every Observation field through FHIRPath (the reference
 * implementation) instead of the plain-TypeScript fast path; the differential tests compare the two.
 */
export type BuilderInternals = ObservationOptions;

export type TimelineBuilder = (resources: readonly unknown[], options?: BuildOptions) => PatientTimeline;

const CLINICAL_TYPES = ['Observation', 'Condition', 'MedicationAdministration', 'MedicationRequest', 'MedicationStatement', 'Procedure'] as const;

function scopePatient(
  byType: Map<string, Entry[]>,
  index: RefIndex,
  requested: string | undefined,
  issues: DataIssue[],
): { patient: PatientTimeline['patient']; keep: (e: Entry) => boolean } {
  const patients = byType.get('Patient') ?? [];
  let target = requested;
  if (target === undefined && patients.length === 1) target = (patients[0] as Entry).id;
  if (target === undefined) {
    const subjects = new Set<string>();
    for (const type of CLINICAL_TYPES) {
      for (const e of byType.get(type) ?? []) {
        const ref = parseReference(subjectOf(e.resource), index);
        if (ref?.type === 'Patient') subjects.add(ref.id);
      }
    }
    if (patients.length > 1 || subjects.size > 1) {
      issues.push({
        severity: 'warning',
        code: 'multiple-patients',
        message: `input refers to ${Math.max(patients.length, subjects.size)} different patients and no patientId was given; nothing was filtered`,
      });
    }
    if (subjects.size === 1 && patients.length === 0) target = [...subjects][0];
    return { patient: target !== undefined ? { id: target } : {}, keep: () => true };
  }
  const patient: PatientTimeline['patient'] = { id: target };
  for (const p of patients) {
    if (p.id !== target) {
      issues.push({ severity: 'warning', code: 'wrong-patient', message: `Patient/${p.id} is not the patient in context; ignored`, source: p.key });
      continue;
    }
    const birthDate = str(p.resource.birthDate);
    const gender = str(p.resource.gender);
    if (birthDate !== undefined) patient.birthDate = birthDate;
    if (gender !== undefined) patient.gender = gender;
  }
  // Most resources share one subject reference: parse each distinct reference text once per call.
  const parsed = new Map<string, ReturnType<typeof parseReference>>();
  let lastText: string | undefined;
  let lastRef: ReturnType<typeof parseReference>;
  const keep = (e: Entry): boolean => {
    const subject = subjectOf(e.resource);
    if (subject === undefined) return true;
    const raw = isRecord(subject) ? subject.reference : undefined;
    // The common case: the same reference text as the previous resource (compared before trimming).
    const text = raw === lastText && raw !== undefined ? lastText : str(raw);
    let ref: ReturnType<typeof parseReference>;
    if (text === undefined) ref = undefined;
    else if (text === lastText) ref = lastRef;
    else {
      if (parsed.has(text)) ref = parsed.get(text);
      else parsed.set(text, (ref = parseReference(subject, index)));
      lastText = text;
      lastRef = ref;
    }
    if (ref === undefined) return true; // identifier-only or unreadable reference: cannot tell, keep
    if (ref.type === 'Patient' && ref.id === target) return true;
    issues.push({
      severity: 'warning',
      code: 'wrong-patient',
      message: `${e.key} is about ${ref.type}/${ref.id}, not Patient/${target}; skipped`,
      source: e.key,
    });
    return false;
  };
  return { patient, keep };
}

function build(t: Tables, resources: readonly unknown[], options: BuildOptions | undefined, internal: BuilderInternals): PatientTimeline {
  const issues: DataIssue[] = [];
  const input = Array.isArray(resources) ? resources : [];
  if (!Array.isArray(resources)) {
    issues.push({ severity: 'warning', code: 'invalid-resource', message: 'input was not an array of resources' });
  }
  const { byType, index } = ingest(input, issues);
  const requested = str(options?.patientId);
  const { patient, keep } = scopePatient(byType, index, requested, issues);
  const site = siteTime(options?.timeZone);
  const acc: LabAcc = {
    t,
    site,
    zoneless: 0,
    index,
    issues,
    labs: [],
    labMs: [],
    notEvaluable: [],
    findings: [],
    exposures: [],
    fhirpathOnly: internal.fhirpathOnly === true,
  };

  // Patient scoping inside the Observation loop: one pass over the resources instead of two.
  processObservations(acc, byType.get('Observation') ?? [], internal, keep);
  for (const type of CLINICAL_TYPES) {
    if (type === 'Observation') continue;
    for (const e of byType.get(type) ?? []) {
      if (!keep(e)) continue;
      try {
        if (type === 'Condition') processCondition(acc, e.resource, e.key);
        else processMedication(acc, e.resource, type, e.key);
      } catch (err) {
        // Defence in depth: a malformed resource must cost only itself.
        issues.push({ severity: 'warning', code: 'resource-not-processed', message: `${type} could not be read: ${errorMessage(err)}`, source: e.key });
      }
    }
  }
  const { labs, conflicts } = resolveLabs(acc.labs, acc.labMs);
  const exposures = mergeExposures(acc.exposures, issues, site);
  if (acc.zoneless) {
    issues.push({
      severity: 'warning',
      code: 'time-without-zone',
      message: `${acc.zoneless} date-time value(s) had no time zone (FHIR requires one); read as ${site.zone} site time`,
    });
  }
  return {
    patient,
    labs,
    notEvaluable: sortNotEvaluable(acc.notEvaluable),
    conflicts,
    exposures,
    findings: sortFindings(acc.findings),
    issues: finalizeIssues(issues),
  };
}

/**
 * Precompute the lookup tables of a knowledge object (codes → analytes/findings/agents, unit aliases) and
 * compile the FHIRPath expressions; returns the extraction function.
 */
export function createTimelineBuilder(knowledge: Knowledge, internal: BuilderInternals = {}): TimelineBuilder {
  compiledFields();
  const tables = buildTables(knowledge);
  return (resources, options) => build(tables, resources, options, internal);
}

const builders = new WeakMap<Knowledge, TimelineBuilder>();

/** Convenience: `createTimelineBuilder(knowledge)` cached per knowledge object. */
export function buildTimeline(resources: readonly unknown[], knowledge: Knowledge, options?: BuildOptions): PatientTimeline {
  let builder = builders.get(knowledge);
  if (!builder) {
    builder = createTimelineBuilder(knowledge);
    builders.set(knowledge, builder);
  }
  return builder(resources, options);
}
