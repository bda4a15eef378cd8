/**
 * Development only: loads FHIR Bundles (the example patients) into a FHIR server as transaction Bundles, for
 * the local compose stack. Every resource is written with `PUT {type}/{id}`, so ids and the references
 * between resources are kept and seeding twice leaves the same data (FHIR R4 §3.1.0.11 transaction, update
 * as create).
 */
type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export class SeedError extends Error {
  override name = 'SeedError';
}

/** The resources of a Bundle (or the resource itself) as a transaction Bundle of PUTs. */
export function toTransaction(bundle: Json, label = 'bundle'): Json {
  const resources = bundle.resourceType === 'Bundle' ? (Array.isArray(bundle.entry) ? bundle.entry : []).map((e) => (isObj(e) ? e.resource : undefined)) : [bundle];
  const entry = resources.map((r, i) => {
    if (!isObj(r) || typeof r.resourceType !== 'string' || typeof r.id !== 'string' || r.id === '') {
      throw new SeedError(`${label}: entry ${i} has no resource with a resourceType and an id (needed to keep references)`);
    }
    return { resource: r, request: { method: 'PUT', url: `${r.resourceType}/${encodeURIComponent(r.id)}` } };
  });
  if (entry.length === 0) throw new SeedError(`${label}: no resources`);
  return { resourceType: 'Bundle', type: 'transaction', entry };
}

function baseOf(url: string): string {
  return url.replace(/\/+$/, '');
}

/** Posts one transaction; resolves with the number of entries written, rejects with the server's reason. */
export async function postTransaction(fhirBase: string, transaction: Json, timeoutMs = 30_000): Promise<number> {
  const res = await fetch(`${baseOf(fhirBase)}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/fhir+json', accept: 'application/fhir+json' },
    body: JSON.stringify(transaction),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!res.ok || !isObj(body) || body.type !== 'transaction-response') {
    throw new SeedError(`transaction refused: HTTP ${res.status} ${text.slice(0, 500)}`);
  }
  const entries = Array.isArray(body.entry) ? body.entry : [];
  const failed = entries.filter((e) => !/^2\d\d/.test(String((isObj(e) && isObj(e.response) && e.response.status) || '')));
  if (failed.length) throw new SeedError(`transaction partly failed: ${JSON.stringify(failed.slice(0, 2)).slice(0, 500)}`);
  return entries.length;
}

/** Waits until `GET {base}/metadata` answers 200 (a FHIR server can take a minute to start). */
export async function waitForFhirServer(fhirBase: string, timeoutMs: number, intervalMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  for (;;) {
    try {
      const res = await fetch(`${baseOf(fhirBase)}/metadata`, { headers: { accept: 'application/fhir+json' }, signal: AbortSignal.timeout(5_000) });
      await res.body?.cancel().catch(() => undefined);
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = (e as Error).message;
    }
    if (Date.now() + intervalMs > deadline) throw new SeedError(`${fhirBase} not ready after ${Math.round(timeoutMs / 1000)} s (${last})`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
