import type { ServiceDefinition } from './hooks/discovery';

const SERVICE_ID = 'hlh-screen';

/** The discovery entry for the one service this process offers. */
export function hlhScreenService(prefetch: Record<string, string>): ServiceDefinition {
  return {
    hook: 'patient-view',
    hookVersion: '1.0',
    id: SERVICE_ID,
    title: 'HLH Sentinel: therapy-associated HLH-like hyperinflammation screen',
    description:
      'Screens patients exposed to CAR T cells, T-cell engagers, immune checkpoint inhibitors, ibrutinib, lamotrigine and ' +
      'other documented triggers for IEC-HS (ASTCT 2023) and treatment-related HLH (HLH-2004, HScore, OHI), and suggests ' +
      'the missing work-up. Screening support only; it does not diagnose.',
    prefetch,
    usageRequirements:
      'Needs read access to Patient, Observation (laboratory and vital signs, LOINC-coded), Condition, MedicationRequest, ' +
      'MedicationAdministration, MedicationStatement and Procedure for the patient in context, via prefetch or fhirServer ' +
      'with fhirAuthorization. Missing keys are fetched from fhirServer; without it the call answers 412.',
  };
}
