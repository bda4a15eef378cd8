/**
 * The shapes of prefetch resolution: what a hook call hands the resolver (./resolve.ts), how it is bounded, and
 * the data it gives the pipeline, including what the Medication reads (./read-medications.ts) added.
 */
import type { DataIssue } from '../timeline/types';
import type { FhirFetchErrorKind, FhirFetchOptions } from './client';
import type { MedicationReadCounts } from './medication-refs';

export interface ResolveInput {
  templates: Record<string, string>;
  prefetch: Record<string, Record<string, unknown> | null> | undefined;
  context: { patientId: string; userId: string; encounterId?: string };
  fhirServer?: string;
  accessToken?: string;
}

export interface ResolveOptions {
  onOperationOutcome: 'note' | 'refetch';
  fetch: Omit<FhirFetchOptions, 'accessToken' | 'signal' | 'budget'>;
  deadlineMs: number;
  /** Most `Medication/{id}` instance reads per hook call for unresolved medicationReferences (default 20). */
  maxMedicationReads?: number;
  /** Bytes all FHIR responses of this hook call may add up to, across keys, pages and Medication reads (unset = no total cap). */
  maxHookBytes?: number;
  /** Vetoes a fhirServer (security: allowlist per issuer). Returns a reason to refuse, or undefined. */
  checkFhirServer?: (url: string) => string | undefined;
  /** Told about every query made for a missing key (metrics): how long it took and, if it failed, why. */
  onFetch?: (event: { key: string; seconds: number; failure?: FhirFetchErrorKind | 'unexpected' }) => void;
}

type KeySource = 'prefetch' | 'prefetch-null' | 'prefetch-failed' | 'fetched';

export interface ResolvedData {
  /** Resources and Bundles as received; the timeline builder flattens them. */
  resources: unknown[];
  issues: DataIssue[];
  sources: Record<string, KeySource>;
  /** Medication references read or left unresolved (counts only, for the log; see ./read-medications). */
  medications?: MedicationReadCounts;
}
