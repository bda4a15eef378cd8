/**
 * A small SMART on FHIR EHR for browser tests: the Medplum FHIR server on loopback plus SMART App Launch
 * endpoints on the same origin — `.well-known/smart-configuration`, an authorization endpoint that checks the
 * client, redirect URI, audience and PKCE challenge and redirects back with a one-time code, and a token endpoint
 * that checks the code verifier (S256) and answers the launch context (patient, the card's appContext).
 * With `requireToken`, FHIR requests without a token it issued are refused (401).
 */
import { createHash, randomUUID } from 'node:crypto';
import type http from 'node:http';
import { startMedplumServer, type FhirTestServer } from './medplum-server';

export interface SmartEhr {
  fhir: FhirTestServer;
  /** The FHIR base URL: the SMART `iss`. */
  iss: string;
  clientId: string;
  redirectUri: string;
  /** Registers a launch (as an EHR does when a user clicks a card's smart link); returns the `launch` value. */
  launch(context: { patient: string; appContext?: string }): string;
  requireToken: boolean;
  /** Every access token issued, and what the authorization endpoint was asked. */
  issued: string[];
  authorizeRequests: URLSearchParams[];
  close(): Promise<void>;
}

const b64url = (buf: Buffer) => buf.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

function json(res: http.ServerResponse, status: number, body: unknown): true {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
  return true;
}

export async function startSmartEhr(opts: { clientId: string; redirectUri: string }): Promise<SmartEhr> {
  const launches = new Map<string, { patient: string; appContext?: string }>();
  const codes = new Map<string, { launch: { patient: string; appContext?: string }; challenge: string; redirectUri: string; scope: string }>();
  const tokens = new Set<string>();
  const authorizeRequests: URLSearchParams[] = [];
  let base = '';
  const ehr = {} as SmartEhr;

  const authorize = (res: http.ServerResponse, q: URLSearchParams): true => {
    authorizeRequests.push(q);
    const launch = launches.get(q.get('launch') ?? '');
    const problems = [
      q.get('response_type') !== 'code' && 'response_type',
      q.get('client_id') !== opts.clientId && 'client_id',
      q.get('redirect_uri') !== opts.redirectUri && 'redirect_uri',
      q.get('aud') !== base && 'aud',
      q.get('code_challenge_method') !== 'S256' && 'code_challenge_method',
      !q.get('code_challenge') && 'code_challenge',
      !q.get('state') && 'state',
      !launch && 'launch',
    ].filter(Boolean);
    if (problems.length) return json(res, 400, { error: 'invalid_request', error_description: `bad ${problems.join(', ')}` });
    const code = randomUUID();
    codes.set(code, { launch: launch!, challenge: q.get('code_challenge')!, redirectUri: q.get('redirect_uri')!, scope: q.get('scope') ?? '' });
    res.writeHead(302, { location: `${opts.redirectUri}?code=${code}&state=${encodeURIComponent(q.get('state')!)}` });
    res.end();
    return true;
  };

  const token = (res: http.ServerResponse, body: URLSearchParams): true => {
    const grant = codes.get(body.get('code') ?? '');
    codes.delete(body.get('code') ?? ''); // one use only
    const verifier = body.get('code_verifier') ?? '';
    if (!grant || body.get('grant_type') !== 'authorization_code' || body.get('redirect_uri') !== grant.redirectUri || body.get('client_id') !== opts.clientId) {
      return json(res, 400, { error: 'invalid_grant' });
    }
    if (b64url(createHash('sha256').update(verifier).digest()) !== grant.challenge) return json(res, 400, { error: 'invalid_grant', error_description: 'PKCE' });
    const access = `tok-${randomUUID()}`;
    tokens.add(access);
    ehr.issued.push(access);
    return json(res, 200, {
      access_token: access,
      token_type: 'Bearer',
      expires_in: 3600,
      scope: grant.scope,
      patient: grant.launch.patient,
      ...(grant.launch.appContext !== undefined ? { appContext: grant.launch.appContext } : {}),
    });
  };

  const fhir = await startMedplumServer({
    cors: true,
    intercept: (req, res, url, body) => {
      if (url.pathname === '/fhir/R4/.well-known/smart-configuration') {
        const origin = new URL(base).origin;
        return json(res, 200, {
          authorization_endpoint: `${origin}/auth/authorize`,
          token_endpoint: `${origin}/auth/token`,
          capabilities: ['launch-ehr', 'client-public', 'context-ehr-patient', 'permission-v1'],
          code_challenge_methods_supported: ['S256'],
        });
      }
      if (url.pathname === '/auth/authorize') return authorize(res, url.searchParams);
      if (url.pathname === '/auth/token' && req.method === 'POST') return token(res, new URLSearchParams(body.toString('utf8')));
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (ehr.requireToken && !(bearer && tokens.has(bearer))) return json(res, 401, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'login' }] });
      return false;
    },
  });
  base = fhir.baseUrl;
  Object.assign(ehr, {
    fhir,
    iss: base,
    clientId: opts.clientId,
    redirectUri: opts.redirectUri,
    requireToken: false,
    issued: [],
    authorizeRequests,
    launch(context: { patient: string; appContext?: string }) {
      const id = randomUUID();
      launches.set(id, context);
      return id;
    },
    close: () => fhir.close(),
  });
  return ehr;
}
