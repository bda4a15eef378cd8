/**
 * A loopback FHIR "server" that forwards every GET to a real one (the harness's Medplum) and lets a test alter
 * the answers, for shapes a well-behaved server never returns (another patient's Observation in a patient
 * search, a resource without a subject). Port 0; close it in afterAll.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

type Json = Record<string, unknown>;

interface FhirProxy {
  baseUrl: string;
  close(): Promise<void>;
}

/** `alter(pathAndQuery, body)` may change the forwarded JSON body (a read's resource or a search Bundle). */
async function startFhirProxy(targetBase: string, alter: (pathAndQuery: string, body: Json) => Json): Promise<FhirProxy> {
  const target = new URL(targetBase);
  const server = http.createServer((req, res) => {
    void (async () => {
      const suffix = (req.url ?? '/').replace(/^\/fhir/, '');
      const upstream = await fetch(`${target.href.replace(/\/$/, '')}${suffix}`, { headers: { accept: 'application/fhir+json' } });
      const body = (await upstream.json()) as Json;
      res.writeHead(upstream.status, { 'content-type': 'application/fhir+json' });
      res.end(JSON.stringify(alter(suffix, body)));
    })().catch((e: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'exception', diagnostics: String(e) }] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface InjectingProxy extends FhirProxy {
  /** Resources the proxy adds to every Observation search whose query contains `marker` (until set again). */
  inject(resources: Json[]): void;
}

/** A proxy that adds resources to the Observation searches whose query contains `marker` (e.g. a LOINC code). */
export async function startInjectingProxy(targetBase: string, marker: string): Promise<InjectingProxy> {
  let extra: Json[] = [];
  const proxy = await startFhirProxy(targetBase, (path, body) => {
    if (!path.startsWith('/Observation?') || body.resourceType !== 'Bundle' || !path.includes(marker)) return body;
    const entry = [...((body.entry as Json[] | undefined) ?? []), ...extra.map((resource) => ({ resource }))];
    return { ...body, entry, total: entry.length };
  });
  return { ...proxy, inject: (resources) => void (extra = resources) };
}
