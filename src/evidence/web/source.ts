/**
 * Where the page's patient data comes from:
 * - offline: the data block `evaluate --format html` embedded (no network at all);
 * - EHR launch: `?iss=…&launch=…` → SMART authorization-code flow with PKCE (fhirclient), back at the
 *   redirect URI with `code` and `state` → token (with the card's appContext) → the query list;
 * - standalone demonstration: `?iss=…&patient=…[&asOf=…]` against an open FHIR server (no authorization).
 */
import FHIR from 'fhirclient';
import type Client from 'fhirclient/lib/Client';
import { parseAppContext } from '../../render/app-context';
import { fill } from '../../render/format';
import type { DataSource, PageConfig } from '../view/types';
import { isDataIssue } from '../../vocabulary';
import { readPatientData } from './fhir-read';

export type Resolution = { kind: 'redirecting' } | { kind: 'source'; source: DataSource };

class PageError extends Error {
  override name = 'PageError';
}

function offline(embedded: unknown, s: PageConfig['evidence']['status']): DataSource {
  const d = embedded as Partial<DataSource> | null;
  if (!d || !Array.isArray(d.resources) || typeof d.patientId !== 'string' || typeof d.asOf !== 'string') throw new PageError(s.unreadableFile);
  return { mode: 'offline', server: String(d.server ?? ''), patientId: d.patientId, resources: d.resources, issues: Array.isArray(d.issues) ? d.issues.filter(isDataIssue) : [], asOf: d.asOf, asOfFrom: 'file' };
}

/** The asOf parameter as given (the assessment records it verbatim, as the hook does), when it parses. */
function validInstant(s: string | null): string | undefined {
  return s && /^\d{4}-\d{2}-\d{2}T/.test(s) && !Number.isNaN(Date.parse(s)) ? s : undefined;
}

async function fromClient(client: Client, config: PageConfig, mode: 'ehr' | 'standalone', queryAsOf: string | undefined, status: (s: string) => void): Promise<DataSource> {
  const patientId = client.patient.id;
  if (!patientId) throw new PageError(config.evidence.status.noPatient);
  const appContext = parseAppContext(client.state.tokenResponse?.appContext);
  const asOf = appContext?.asOf ?? queryAsOf ?? new Date().toISOString();
  const asOfFrom = appContext ? 'card' : queryAsOf ? 'query' : 'now';
  status(config.evidence.status.fetching);
  const { resources, issues } = await readPatientData(client, config, patientId);
  return { mode, server: client.state.serverUrl, patientId, resources, issues, asOf, asOfFrom, ...(appContext ? { appContext } : {}) };
}

/** The page's CSP would block the FHIR server: say so instead of failing with a bare network error. */
function checkAllowed(config: PageConfig, iss: string): void {
  let origin: string;
  try {
    origin = new URL(iss).origin;
  } catch {
    throw new PageError(fill(config.evidence.status.issNotUrl, { iss: iss.slice(0, 200) }));
  }
  if (!config.connect.includes(origin)) throw new PageError(fill(config.evidence.status.notAllowed, { origin }));
}

/** fhirclient keeps the authorized state in sessionStorage: a reload after the launch reuses it. */
function hasSmartState(): boolean {
  try {
    return Boolean(sessionStorage.getItem('SMART_KEY'));
  } catch {
    return false;
  }
}

export async function resolveSource(config: PageConfig, href: string, embedded: unknown, status: (s: string) => void): Promise<Resolution> {
  if (embedded !== undefined) return { kind: 'source', source: offline(embedded, config.evidence.status) };
  const params = new URL(href).searchParams;
  const s = config.evidence.status;
  if (params.has('error')) throw new PageError(`${params.get('error')}: ${params.get('error_description') ?? ''}`.trim());
  const iss = params.get('iss');
  if (iss && params.has('launch')) {
    checkAllowed(config, iss);
    status(s.authorizing);
    await FHIR.oauth2.authorize({
      clientId: config.smart.clientId,
      scope: config.smart.scope,
      iss,
      launch: params.get('launch')!,
      redirectUri: new URL('./', href).href,
      pkceMode: 'required',
    });
    return { kind: 'redirecting' };
  }
  if (params.has('code') || params.has('state') || (!iss && hasSmartState())) {
    status(s.authorizing);
    return { kind: 'source', source: await fromClient(await FHIR.oauth2.ready(), config, 'ehr', undefined, status) };
  }
  const patient = params.get('patient');
  if (iss && patient) {
    checkAllowed(config, iss);
    const client = FHIR.client({ serverUrl: iss, tokenResponse: { patient } });
    return { kind: 'source', source: await fromClient(client, config, 'standalone', validInstant(params.get('asOf')), status) };
  }
  throw new PageError(fill(s.noLaunch, {}));
}
