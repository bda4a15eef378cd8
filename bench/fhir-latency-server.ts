/**
 * A loopback FHIR server for the no-prefetch benchmark: answers every search with a canned Bundle of
 * the generated patient's data for that resource type (and the Patient read), after a fixed delay.
 * Usage: node dist/bench/fhir-latency-server.js <port> <delayMs> <N observations> [anchor ISO date]
 */
import http from 'node:http';
import { generateHookRequest } from './generate';

const port = Number(process.argv[2] ?? 0);
const delayMs = Number(process.argv[3] ?? 20);
const n = Number(process.argv[4] ?? 1000);
const anchor = process.argv[5] ? new Date(process.argv[5]) : new Date();
const prefetch = generateHookRequest(n, anchor).body.prefetch as Record<string, { resourceType: string; entry?: Array<{ resource: { code?: { coding?: Array<{ code: string }> } } }> }>;

// Observation searches are answered per code list, like a real server would.
const observations = Object.entries(prefetch)
  .filter(([, v]) => v.resourceType === 'Bundle')
  .flatMap(([, v]) => v.entry ?? [])
  .filter((e) => (e.resource as { resourceType?: string }).resourceType === 'Observation');

function respond(url: URL): unknown {
  const path = url.pathname.replace(/^\/fhir\/?/, '');
  if (path === 'metadata') return { resourceType: 'CapabilityStatement', status: 'active' };
  if (path.startsWith('Patient/')) return prefetch.patient;
  const type = path.split('/')[0];
  if (type === 'Observation') {
    const codes = new Set((url.searchParams.get('code') ?? '').split(',').map((t) => t.split('|').pop()));
    const entry = observations.filter((e) => codes.has(e.resource.code?.coding?.[0]?.code ?? ''));
    return { resourceType: 'Bundle', type: 'searchset', total: entry.length, entry };
  }
  const key = { Condition: 'conditions', MedicationRequest: 'medicationRequests', MedicationAdministration: 'medicationAdministrations', MedicationStatement: 'medicationStatements', Procedure: 'procedures' }[type ?? ''];
  return key ? prefetch[key] : { resourceType: 'Bundle', type: 'searchset', total: 0, entry: [] };
}

const cache = new Map<string, string>();
const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  let body = cache.get(url.href);
  if (!body) cache.set(url.href, (body = JSON.stringify(respond(url))));
  setTimeout(() => {
    res.writeHead(200, { 'content-type': 'application/fhir+json' });
    res.end(body);
  }, delayMs);
});
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
