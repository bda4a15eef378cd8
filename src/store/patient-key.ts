/**
 * Patient identifiers in the card log: stored as received (`raw`) or as a keyed hash (`hmac`,
 * HMAC-SHA256 with a site secret, lowercase hex) for pseudonymous analytics. The same id and secret always give
 * the same key, so cards of one patient can still be grouped without storing who the patient is.
 */
import { createHmac } from 'node:crypto';

export interface PatientKeyConfig {
  patientIdMode: 'raw' | 'hmac';
  patientIdSecret?: string | undefined;
}

/** Pass the FHIR logical id as the service received it (e.g. `context.patientId`). */
export function patientKey(id: string, config: PatientKeyConfig): string {
  if (config.patientIdMode === 'raw') return id;
  if (!config.patientIdSecret) throw new Error('patientIdSecret is required when patientIdMode is hmac');
  return createHmac('sha256', config.patientIdSecret).update(id, 'utf8').digest('hex');
}
