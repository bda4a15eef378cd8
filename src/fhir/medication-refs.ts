/**
 * Medication references the data cannot resolve (pure). Many EHRs send MedicationRequest / Administration /
 * Statement with `medicationReference` and no display, and do not prefetch the Medication; without it a
 * pembrolizumab or CAR T order is invisible. Resolution order (the timeline's, src/timeline/medications.ts): a
 * contained `#id`, a Medication in the data (by `Type/id` or Bundle fullUrl), then an instance read
 * `Medication/{id}` from `fhirServer`, which this module plans and the shell (./resolve.ts) performs.
 *
 * Read: a relative `Medication/{id}` (optionally `/_history/{v}`), or an absolute URL on `fhirServer`'s base.
 * Never read: another server's URL (the token and the request stay on the EHR's server), an unresolvable `#id` or
 * `urn:uuid`, anything else. Reads are de-duplicated by id and bounded in count. The service (./read-medications.ts)
 * and the evidence page (src/evidence/read-patient-data.ts) perform the same plan and report what stays unresolved
 * with the same data issue.
 */
import { dataIssue, term, type DataIssue } from '../vocabulary';
import { resolveQueryUrl } from './query-url';

type Json = Record<string, unknown>;

const MED_TYPES = new Set(['MedicationRequest', 'MedicationAdministration', 'MedicationStatement']);
const RELATIVE = /^Medication\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/;
const MAX_DEPTH = 16;

/** Why a reference is not read. */
type SkipReason = 'no-fhir-server' | 'other-server' | 'over-limit' | 'not-readable';

/** Why a reference stayed unresolved (planned skips and failed reads). */
export type UnresolvedReason = SkipReason | 'fhir-server-not-allowed' | 'not-found' | 'timeout' | 'failed';

export interface MedicationReadCounts {
  /** Medications read from fhirServer and added to the data. */
  read: number;
  /** References left unresolved, by reason. */
  unresolved: Partial<Record<UnresolvedReason, number>>;
}

/** Default most `Medication/{id}` reads per evaluation (configurable: `fhir.maxMedicationReads`). */
export const DEFAULT_MAX_MEDICATION_READS = 20;

export interface MedicationReadPlan {
  /** `Medication/{id}` queries to read, de-duplicated, in first-seen order. */
  reads: string[];
  /** References (counted once per distinct reference text) that will not be read, by reason. */
  skipped: Partial<Record<SkipReason, number>>;
}

const isJson = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

interface Collected {
  /** `Medication/{id}` keys and Bundle fullUrls of the Medications present. */
  present: Set<string>;
  /** Reference texts, each with the resource that holds it (for its contained Medications). */
  refs: { ref: string; holder: Json }[];
}

function collect(items: readonly unknown[], out: Collected, depth: number, seen: Set<object>): void {
  for (const item of items) {
    if (!isJson(item) || seen.has(item)) continue;
    seen.add(item);
    const type = item.resourceType;
    if (type === 'Bundle' && depth < MAX_DEPTH && Array.isArray(item.entry)) {
      for (const e of item.entry) {
        if (!isJson(e)) continue;
        const r = e.resource;
        if (isJson(r) && r.resourceType === 'Medication' && typeof e.fullUrl === 'string') out.present.add(e.fullUrl);
        collect([r], out, depth + 1, seen);
      }
    } else if (type === 'Medication' && typeof item.id === 'string') {
      out.present.add(`Medication/${item.id}`);
    } else if (typeof type === 'string' && MED_TYPES.has(type) && isJson(item.medicationReference)) {
      const ref = item.medicationReference.reference;
      if (typeof ref === 'string' && ref.trim()) out.refs.push({ ref: ref.trim(), holder: item });
    }
  }
}

function containedHas(holder: Json, id: string): boolean {
  return Array.isArray(holder.contained) && holder.contained.some((c) => isJson(c) && c.resourceType === 'Medication' && c.id === id);
}

/** The `Medication/{id}` a reference asks to read, 'resolved' when the data has it, or why it cannot be read. */
function classify(ref: string, holder: Json, present: Set<string>, base: string | undefined): string | 'resolved' | SkipReason {
  if (ref.startsWith('#')) return containedHas(holder, ref.slice(1)) ? 'resolved' : 'not-readable';
  if (present.has(ref)) return 'resolved';
  let relative = ref;
  if (/^https?:\/\//i.test(ref)) {
    if (base === undefined) return 'no-fhir-server';
    const prefix = resolveQueryUrl(base, '').href;
    if (!ref.startsWith(prefix)) return 'other-server';
    relative = ref.slice(prefix.length);
  }
  const m = RELATIVE.exec(relative);
  if (!m) return 'not-readable';
  const key = `Medication/${m[1] as string}`;
  return present.has(key) ? 'resolved' : key;
}

/**
 * Which `Medication/{id}` to read from `fhirServer` (undefined: no server, or not allowed) so that every
 * medicationReference in `resources` resolves; at most `max` reads.
 */
export function medicationReadPlan(resources: readonly unknown[], fhirServer: string | undefined, max: number): MedicationReadPlan {
  const c: Collected = { present: new Set(), refs: [] };
  collect(resources, c, 0, new Set());
  const plan: MedicationReadPlan = { reads: [], skipped: {} };
  const counted = new Set<string>();
  const skip = (reason: SkipReason) => (plan.skipped[reason] = (plan.skipped[reason] ?? 0) + 1);
  for (const { ref, holder } of c.refs) {
    const r = classify(ref, holder, c.present, fhirServer);
    if (r === 'resolved') continue;
    const isRead = r.startsWith('Medication/');
    const key = isRead ? r : ref;
    if (counted.has(key)) continue;
    counted.add(key);
    if (!isRead) skip(r as SkipReason);
    else if (fhirServer === undefined) skip('no-fhir-server');
    else if (plan.reads.length < max) plan.reads.push(r);
    else skip('over-limit');
  }
  return plan;
}

/** The one `medication-reference-unresolved` data issue for what stayed unresolved (none when all resolved). */
export function unresolvedMedicationIssue(counts: MedicationReadCounts, max: number): DataIssue | undefined {
  const entries = Object.entries(counts.unresolved) as [UnresolvedReason, number][];
  const total = entries.reduce((n, [, c]) => n + c, 0);
  if (!total) return undefined;
  // Each reason is a term of the card wording; only the read limit carries a number of its own.
  const reasons = entries.map(([reason, n]) => (reason === 'over-limit' ? term(reason, { n, max }) : term(reason, { n })));
  return dataIssue('warning', 'medication-reference-unresolved', { n: total, reasons });
}
