/**
 * Shared pieces for the conformance suite (docs/conformance-matrix.md): the production assembly
 * (createRuntime: real JWT authentication, SSRF policy, knowledge, card content, pipeline, card log in
 * memory), the example patients as an EHR would prefetch them, and the checks every emitted card must pass.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type { Express } from 'express';
import { configSchema, type ConfigInput } from '../../src/config/schema';
import { createApp, createRuntime, type AppDeps } from '../../src/app';
import { createLogger } from '../../src/log/logger';
import { toPrefetch, entriesOf } from '../../src/cli/evaluate';
import { memoryLog } from '../support/app';
import { mintToken, PUBLIC_BASE, TEST_ISS, type TestKey } from '../support/jwt';

export const EXAMPLES_DIR = path.resolve(__dirname, '../../examples/patients');
export const AS_OF = new Date('2026-03-15T12:00:00Z');
export const SERVICE = '/cds-services/hlh-screen';
export const FEEDBACK = '/cds-services/hlh-screen/feedback';
export const DISCOVERY = '/cds-services';

export const EXAMPLE_IDS: string[] = readdirSync(EXAMPLES_DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.replace(/\.json$/, ''))
  .sort();

export interface Runtime {
  app: Express;
  deps: AppDeps;
  log: string[];
  key: TestKey;
  close(): Promise<void>;
}

/** The production runtime with one registered issuer (the test key) and an in-memory card log. */
export function productionApp(key: TestKey, input: ConfigInput = {}, fhirServers: string[] = ['https://fhir.test.example/r4']): Runtime {
  const { security, ...rest } = input;
  const config = configSchema.parse({
    logLevel: 'info',
    store: { kind: 'memory' },
    // Evaluate on the test's thread: nock (FHIR fakes in these suites) intercepts requests only there.
    // The worker pool is exercised end to end in test/e2e and test/faults.
    workers: 0,
    ...rest,
    security: {
      publicBaseUrl: PUBLIC_BASE,
      fhir: { allowHttpLoopback: true },
      auth: { mode: 'required', issuers: [{ iss: TEST_ISS, jwks: { keys: [key.publicJwk] }, fhirServers }] },
      ...security,
    },
  });
  const captured = memoryLog();
  const deps: AppDeps = { ...createRuntime(config, createLogger(config.logLevel, captured.stream)), now: () => AS_OF };
  return { app: createApp(deps), deps, log: captured.lines, key, close: async () => deps.close?.() };
}

/** A fresh token whose `aud` is the endpoint called (jti is unique per token: no replay refusals). */
export async function bearer(rt: Runtime, routePath: string): Promise<string> {
  return `Bearer ${await mintToken(rt.key, { aud: `${PUBLIC_BASE}${routePath}` })}`;
}

export async function postService(rt: Runtime, body: unknown) {
  return request(rt.app).post(SERVICE).set('authorization', await bearer(rt, SERVICE)).send(body as object);
}

export async function postFeedback(rt: Runtime, body: unknown) {
  return request(rt.app).post(FEEDBACK).set('authorization', await bearer(rt, FEEDBACK)).send(body as object);
}

function exampleResources(id: string): Array<Record<string, unknown>> {
  const bundle = JSON.parse(readFileSync(path.join(EXAMPLES_DIR, `${id}.json`), 'utf8')) as Record<string, unknown>;
  return entriesOf(bundle as never) as Array<Record<string, unknown>>;
}

/** The example patient split into the discovery prefetch keys, as an EHR fills them. */
export function examplePrefetch(rt: Runtime, id: string): Record<string, unknown> {
  return toPrefetch(exampleResources(id) as never, rt.deps.service.prefetch!) as Record<string, unknown>;
}

let counter = 0;
/** A distinct, valid v4-shaped hookInstance per call. */
function hookInstance(): string {
  counter += 1;
  return `d1577c69-dfbe-44ad-ba6d-${counter.toString(16).padStart(12, '0')}`;
}

export function hookBody(patientId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    hook: 'patient-view',
    hookInstance: hookInstance(),
    context: { userId: 'Practitioner/example', patientId },
    ...extra,
  };
}

export interface EmptyValue {
  path: string;
  kind: 'null' | 'empty string' | 'empty array' | 'empty object' | 'undefined';
}

/**
 * Every `null`, `""`, `[]`, `{}` (and `undefined`) anywhere inside `value`, with its JSON path. The walk is
 * iterative and does not skip any subtree (FHIR resources in actions forbid empty values too).
 */
export function emptyValues(value: unknown, root = '$'): EmptyValue[] {
  const found: EmptyValue[] = [];
  const stack: Array<[unknown, string]> = [[value, root]];
  while (stack.length) {
    const [v, p] = stack.pop()!;
    if (v === null) found.push({ path: p, kind: 'null' });
    else if (v === undefined) found.push({ path: p, kind: 'undefined' });
    else if (v === '') found.push({ path: p, kind: 'empty string' });
    else if (Array.isArray(v)) {
      if (v.length === 0) found.push({ path: p, kind: 'empty array' });
      v.forEach((x, i) => stack.push([x, `${p}[${i}]`]));
    } else if (typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>);
      if (entries.length === 0) found.push({ path: p, kind: 'empty object' });
      for (const [k, x] of entries) stack.push([x, `${p}.${k}`]);
    }
  }
  return found;
}

/** Every `extension` object anywhere inside `value`, with its path. */
export function extensionsIn(value: unknown, root = '$'): Array<{ path: string; extension: Record<string, unknown> }> {
  const out: Array<{ path: string; extension: Record<string, unknown> }> = [];
  const stack: Array<[unknown, string]> = [[value, root]];
  while (stack.length) {
    const [v, p] = stack.pop()!;
    if (Array.isArray(v)) v.forEach((x, i) => stack.push([x, `${p}[${i}]`]));
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        // A FHIR resource's `extension` is a FHIR Extension array, not a CDS Hooks extension object.
        if (k === 'extension' && x && typeof x === 'object' && !Array.isArray(x)) out.push({ path: `${p}.${k}`, extension: x as Record<string, unknown> });
        stack.push([x, `${p}.${k}`]);
      }
    }
  }
  return out;
}

/** Reverse-DNS style key: at least two dot-separated labels, the first a TLD-like label (`org.example.thing`). */
export const REVERSE_DNS_KEY = /^[a-z]{2,}(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/;

/** A stack-trace line (`at fn (/path/file.js:12:3)`) or a source path with a line number. */
export const STACK_TRACE = /\bat [^\s]+ \(|\bat \/|\.(ts|js):\d+(:\d+)?|node_modules|\/src\//;
