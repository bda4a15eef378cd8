/**
 * The page's reads through a fhirclient Client (which adds the user's access token): one page per request, the
 * paging and the Medication reads are ../read-patient-data.ts's.
 */
import type Client from 'fhirclient/lib/Client';
import { readPatientData as readWith } from '../read-patient-data';
import type { DataIssue } from '../../timeline/types';
import type { PageConfig } from '../view/types';

export function readPatientData(client: Client, config: PageConfig, patientId: string): Promise<{ resources: unknown[]; issues: DataIssue[] }> {
  const reader = { serverUrl: client.state.serverUrl, request: (url: string): Promise<unknown> => client.request(url, { pageLimit: 1, flat: false }) };
  return readWith(reader, config, patientId);
}
