/**
 * Clinical data layer: FHIR R4 resources in, one normalised, explainable `PatientTimeline` out.
 *
 *   const build = createTimelineBuilder(knowledge);      // lookup tables + FHIRPath compiled once
 *   const timeline = build(resources, { patientId });    // pure, deterministic, never throws on bad input
 *
 * or `buildTimeline(resources, knowledge, options)`, which caches the builder per knowledge object.
 *
 * Patient scoping (./scope.ts): with `options.patientId`, a clinical resource is used only when its subject
 * provably denotes that patient; the others (another patient, a malformed or unresolvable reference, no subject
 * at all) are skipped and counted in one `wrong-patient`, `subject-unverifiable` or `subject-missing` warning
 * each, as are other Patient resources. Without it, the single Patient resource in the input (if exactly one)
 * plays that role; with several, nothing is filtered and a `multiple-patients` warning is raised.
 */
import type { Knowledge } from '../knowledge';
import { processCondition } from './conditions';
import { buildTables, type LabAcc, type Tables } from './context';
import { compiledFields } from './fhirpath';
import { finalizeIssues, mergeExposures, resolveLabs, sortFindings, sortNotEvaluable } from './finalize';
import { type Entry, ingest, parseReference, type RefIndex, subjectOf } from './ingest';
import { processMedication } from './medications';
import { PatientScope } from './scope';
import { siteTime } from './site-time';
import { dropSuperseded, supersededObservations } from './supersede';
import { type ObservationOptions, processObservations } from './observations';
import type { DataIssue, PatientTimeline } from './types';
import { errorMessage, str } from './util';
import { dataIssue } from '../vocabulary';

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

interface Scoped {
  patient: PatientTimeline['patient'];
  keep: (e: Entry) => boolean;
  /** `keep` without counting the exclusion (a look-ahead). */
  ours: (e: Entry) => boolean;
  /** Pushes the aggregated issues of what `keep` excluded (call after every resource was offered). */
  report: () => void;
}

function scopePatient(byType: Map<string, Entry[]>, index: RefIndex, requested: string | undefined, issues: DataIssue[]): Scoped {
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
      issues.push(dataIssue('warning', 'multiple-patients', { n: Math.max(patients.length, subjects.size) }));
    }
    if (subjects.size === 1 && patients.length === 0) target = [...subjects][0];
    return { patient: target !== undefined ? { id: target } : {}, keep: () => true, ours: () => true, report: () => undefined };
  }
  const patient: PatientTimeline['patient'] = { id: target };
  const scope = new PatientScope(index, target);
  for (const p of patients) {
    if (p.id !== target) {
      scope.otherPatient(p);
      continue;
    }
    const birthDate = str(p.resource.birthDate);
    const gender = str(p.resource.gender);
    if (birthDate !== undefined) patient.birthDate = birthDate;
    if (gender !== undefined) patient.gender = gender;
  }
  return {
    patient,
    keep: (e) => scope.keep(e, subjectOf(e.resource)),
    ours: (e) => scope.verdict(subjectOf(e.resource)) === 'ours',
    report: () => scope.report(issues),
  };
}

function build(t: Tables, resources: readonly unknown[], options: BuildOptions | undefined, internal: BuilderInternals): PatientTimeline {
  const issues: DataIssue[] = [];
  const input = Array.isArray(resources) ? resources : [];
  if (!Array.isArray(resources)) {
    issues.push(dataIssue('warning', 'input-not-array', {}));
  }
  const { byType, index } = ingest(input, issues);
  const requested = str(options?.patientId);
  const { patient, keep, ours, report } = scopePatient(byType, index, requested, issues);
  const site = siteTime(options?.timeZone);
  const acc: LabAcc = {
    t,
    site,
    zoneless: 0,
    index,
    issues,
    labs: [],
    labMs: [],
    // A birth date is a calendar date: placed at 00:00 site time, as every date is.
    birthMs: site.ms(patient.birthDate),
    correctionSeen: false,
    notEvaluable: [],
    findings: [],
    exposures: [],
    fhirpathOnly: internal.fhirpathOnly === true,
  };

  // Patient scoping inside the Observation loop: one pass over the resources instead of two.
  const observations = byType.get('Observation') ?? [];
  processObservations(acc, observations, internal, keep);
  if (acc.correctionSeen) {
    const shared: DataIssue[] = [];
    const superseded = supersededObservations(observations, ours, shared);
    if (superseded) dropSuperseded(acc, superseded);
    issues.push(...shared);
  }
  for (const type of CLINICAL_TYPES) {
    if (type === 'Observation') continue;
    for (const e of byType.get(type) ?? []) {
      if (!keep(e)) continue;
      try {
        if (type === 'Condition') processCondition(acc, e.resource, e.key);
        else processMedication(acc, e.resource, type, e.key);
      } catch (err) {
        // Defence in depth: a malformed resource must cost only itself.
        issues.push(dataIssue('warning', 'resource-not-processed', { type, reason: errorMessage(err) }, e.key));
      }
    }
  }
  report();
  const { labs, conflicts } = resolveLabs(acc.labs, acc.labMs);
  const exposures = mergeExposures(acc.exposures, issues, site);
  if (acc.zoneless) {
    issues.push(dataIssue('warning', 'time-without-zone', { n: acc.zoneless, zone: site.zone }));
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
