/**
 * The local compose stack, tested as far as a machine without a Docker engine allows: the compose file's
 * settings agree with each other and load as the service's configuration; the seed step's transactions load
 * into a real FHIR server (Medplum on loopback); the development allowlist lets the service fetch from a
 * plain-http host it names (and only in development); `dev-token` and `evaluate --url --sign` make signed calls
 * that pass authentication, one fresh token per call.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import yaml from 'js-yaml';
import { createApp, createRuntime } from '../../src/app';
import { main as evaluate } from '../../src/cli/evaluate';
import { DEFAULT_KEY_DIR, main as devToken } from '../../src/cli/dev-token';
import { main as seedFhir } from '../../src/cli/seed-fhir';
import { loadConfig } from '../../src/config/load';
import { configSchema } from '../../src/config/schema';
import { DEV_ISSUER, PRIVATE_KEY_FILE, PUBLIC_JWKS_FILE } from '../../src/dev/dev-issuer';
import { SeedError, toTransaction, waitForFhirServer } from '../../src/dev/fhir-seed';
import { createLogger } from '../../src/log/logger';
import { listen } from '../../src/server';
import { EXAMPLES_DIR, EXAMPLE_IDS } from '../conformance/support';
import { memoryLog } from '../support/app';
import { startMedplumServer, type FhirTestServer } from '../support/medplum-server';

jest.setTimeout(30_000);

const root = path.resolve(__dirname, '../..');
type Service = { environment?: Record<string, string>; ports?: string[]; volumes?: string[]; command?: string[]; depends_on?: unknown; image?: string; build?: unknown };
const compose = yaml.load(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8')) as { version?: unknown; services: Record<string, Service> };
const sentinel = compose.services['hlh-sentinel']!;
const seed = compose.services.seed!;
const env = sentinel.environment!;
const exampleFiles = EXAMPLE_IDS.map((id) => path.join(EXAMPLES_DIR, `${id}.json`));
const readJson = (f: string) => JSON.parse(readFileSync(f, 'utf8')) as Record<string, unknown>;

/** The service's environment in the stack, with CONFIG_FILE read from the repository. */
function stackEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { ...env, CONFIG_FILE: path.join(root, env.CONFIG_FILE!), ...extra };
}

describe('docker-compose.yml', () => {
  it('has no obsolete version key and binds every published port to 127.0.0.1', () => {
    expect(compose.version).toBeUndefined();
    const ports = Object.values(compose.services).flatMap((s) => s.ports ?? []);
    expect(ports.length).toBeGreaterThanOrEqual(3);
    for (const p of ports) expect(p).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
  });

  it('runs the service in development with the examples clock, PostgreSQL and its config mounted', () => {
    expect(env.NODE_ENV).toBe('development');
    for (const f of exampleFiles) expect(readJson(f).timestamp).toBe(env.DEV_AS_OF);
    expect(env.STORE_KIND).toBe('postgres');
    const db = new URL(env.DATABASE_URL!);
    expect(compose.services[db.hostname]?.image).toMatch(/^postgres:/);
    expect(sentinel.volumes).toContain('./dev:/app/dev:ro');
    expect(env.CONFIG_FILE).toMatch(/^dev\//);
    expect(readFileSync(path.join(root, 'Dockerfile'), 'utf8')).toMatch(/^WORKDIR \/app$/m);
    expect(sentinel.ports).toContain(`127.0.0.1:${env.METRICS_PORT}:${env.METRICS_PORT}`);
  });

  it('loads as the service configuration: the development issuer, its key file, the FHIR server the seed fills', () => {
    const config = loadConfig(stackEnv());
    expect(config.environment).toBe('development');
    expect(config.devAsOf).toBe(env.DEV_AS_OF);
    const [issuer] = config.security.auth.issuers;
    expect(issuer?.iss).toBe(DEV_ISSUER);
    expect(issuer?.jwks).toEqual({ file: `${DEFAULT_KEY_DIR}/${PUBLIC_JWKS_FILE}` });
    const seedUrl = seed.command![seed.command!.indexOf('--fhir') + 1]!;
    expect(issuer?.fhirServers).toEqual([seedUrl]);
    expect(config.security.fhir.allowHttpHosts).toEqual([new URL(seedUrl).host]);
    expect(new URL(seedUrl).hostname in compose.services).toBe(true);
    expect(config.security.publicBaseUrl).toBe(`http://localhost:${sentinel.ports![0]!.split(':')[1]}`);
  });

  it('is refused in production: the same settings without NODE_ENV=development stop start-up', () => {
    expect(() => loadConfig(stackEnv({ NODE_ENV: 'production' }))).toThrow(/allowHttpHosts[^\n]*only allowed with NODE_ENV=development/);
  });

  it('seeds the example patients from the mounted folder with the compiled seed command', () => {
    expect(seed.command?.slice(0, 2)).toEqual(['node', 'dist/src/cli/seed-fhir.js']);
    expect(statSync(path.join(root, 'src/cli/seed-fhir.ts')).isFile()).toBe(true);
    expect(seed.volumes).toContain('./examples/patients:/app/examples/patients:ro');
    expect(seed.command).toEqual(expect.arrayContaining(['--all', 'examples/patients']));
  });
});

describe('seeding a FHIR server', () => {
  let fhir: FhirTestServer;
  beforeAll(async () => {
    fhir = await startMedplumServer();
  });
  afterAll(() => fhir.close());

  it('every example patient loads as one transaction, keeping ids and references; seeding twice changes nothing', async () => {
    const out: string[] = [];
    expect(await seedFhir(['--fhir', fhir.baseUrl, '--all', EXAMPLES_DIR], (s) => out.push(s))).toBe(0);
    expect(out).toHaveLength(EXAMPLE_IDS.length);
    const count = async () => (await fhir.repo.searchResources({ resourceType: 'Observation', count: 1000 })).length;
    const observations = exampleFiles.flatMap((f) => (readJson(f).entry as Array<{ resource: { resourceType: string } }>).filter((e) => e.resource.resourceType === 'Observation'));
    expect(await count()).toBe(observations.length);
    const admin = await fhir.repo.readResource('MedicationAdministration', 'iec-hs-axicel-medadmin-1');
    expect((admin as { subject?: { reference?: string } }).subject?.reference).toBe('Patient/iec-hs-axicel');
    expect(await seedFhir(['--fhir', fhir.baseUrl, ...exampleFiles.slice(0, 2)], () => undefined)).toBe(0);
    expect(await count()).toBe(observations.length);
  });

  it('refuses a resource without an id (its references could not be kept) and waits for a server only so long', async () => {
    expect(() => toTransaction({ resourceType: 'Bundle', entry: [{ resource: { resourceType: 'Patient' } }] }, 'x.json')).toThrow(SeedError);
    await expect(waitForFhirServer('http://127.0.0.1:1/fhir', 300, 100)).rejects.toThrow(/not ready after/);
    await expect(seedFhir(['--fhir', 'ftp://x', exampleFiles[0]!])).rejects.toThrow(/--fhir must be an http/);
  });
});

describe('signed calls to the running stack', () => {
  let dir: string;
  let fhir: FhirTestServer;
  let server: Server;
  let url: string;
  let log: string[];
  let close: () => Promise<void>;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'hlh-dev-keys-'));
    fhir = await startMedplumServer();
    await seedFhir(['--fhir', fhir.baseUrl, path.join(EXAMPLES_DIR, 'iec-hs-axicel.json')], () => undefined);
    // The stack's configuration, with the key file in a temporary folder and the FHIR server on loopback named
    // through the development list exactly as `fhir:8080` is in compose (the loopback switch stays off).
    const stack = loadConfig(stackEnv({ STORE_KIND: 'memory', LOG_LEVEL: 'info' }));
    const fhirHost = new URL(fhir.baseUrl).host;
    const [issuer] = stack.security.auth.issuers;
    const config = configSchema.parse({
      ...stack,
      // Medplum answers in this process, sharing its CPU: generous bounds keep a loaded machine from failing the fetch.
      fhir: { ...stack.fhir, timeoutMs: 15_000, deadlineMs: 20_000 },
      security: {
        ...stack.security,
        auth: { ...stack.security.auth, issuers: [{ ...issuer, jwks: { file: path.join(dir, PUBLIC_JWKS_FILE) }, fhirServers: [fhir.baseUrl] }] },
        fhir: { ...stack.security.fhir, allowHttpLoopback: false, allowHttpHosts: [fhirHost] },
      },
    });
    expect(await devToken(['keys', '--dir', dir], () => undefined)).toBe(0);
    const captured = memoryLog();
    const deps = createRuntime(config, createLogger('info', captured.stream));
    log = captured.lines;
    close = async () => deps.close?.();
    server = await listen(createApp(deps), '127.0.0.1', 0);
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await close();
    await fhir.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('dev-token keys writes the private key for the owner only, and keeps an existing pair', async () => {
    expect(statSync(path.join(dir, PRIVATE_KEY_FILE)).mode & 0o777).toBe(0o600);
    const before = readFileSync(path.join(dir, PUBLIC_JWKS_FILE), 'utf8');
    const out: string[] = [];
    expect(await devToken(['keys', '--dir', dir], (s) => out.push(s))).toBe(0);
    expect(out[0]).toMatch(/^kept the existing/);
    expect(readFileSync(path.join(dir, PUBLIC_JWKS_FILE), 'utf8')).toBe(before);
    expect(readJson(path.join(dir, PUBLIC_JWKS_FILE)).keys).toEqual([expect.not.objectContaining({ d: expect.anything() })]);
  });

  it('dev-token mint prints a token for one endpoint: registered issuer and key, the audience given, fresh jti, 5 minutes', async () => {
    const aud = 'http://localhost:8080/cds-services/hlh-screen';
    const tokens: string[] = [];
    for (let i = 0; i < 2; i++) await devToken(['mint', '--aud', aud, '--dir', dir], (s) => tokens.push(s));
    const claims = tokens.map((t) => decodeJwt(t));
    expect(claims[0]).toMatchObject({ iss: DEV_ISSUER, aud });
    expect(claims[0]!.exp! - claims[0]!.iat!).toBe(300);
    expect(claims[0]!.jti).not.toBe(claims[1]!.jti);
    const kid = (readJson(path.join(dir, PUBLIC_JWKS_FILE)).keys as Array<{ kid: string }>)[0]!.kid;
    expect(decodeProtectedHeader(tokens[0]!)).toMatchObject({ alg: 'ES384', kid });
    await expect(devToken(['mint', '--dir', dir])).rejects.toThrow(/--aud must be the URL called/);
    await expect(devToken(['mint', '--aud', aud, '--dir', path.join(dir, 'missing')])).rejects.toThrow(/dev:token -- keys/);
  });

  const sign = () => ['--sign', path.join(dir, PRIVATE_KEY_FILE), '--aud-base', 'http://localhost:8080', '--format', 'json'];

  it('evaluate --url --sign: discovery and hook each pass with their own token; the card is the examples-clock one', async () => {
    const out: string[] = [];
    expect(await evaluate([path.join(EXAMPLES_DIR, 'iec-hs-axicel.json'), '--url', url, ...sign()], (s) => out.push(s))).toBe(0);
    expect(out.join('\n')).toMatch(/"indicator": "critical"/);
    expect(out.join('\n')).toMatch(/day 12 after axi-cel/);
    type Line = { msg?: string; req?: { method: string; route: string }; res?: { statusCode: number } };
    const access = log.map((l) => JSON.parse(l) as Line).filter((l) => l.msg === 'request completed');
    expect(access.map((l) => `${l.req?.method} ${l.req?.route} ${l.res?.statusCode}`)).toEqual(['GET /cds-services 200', 'POST /cds-services/{id} 200']);
  });

  it('evaluate --fhir-server: the service fetches the seeded patient over plain http from the host named in development', async () => {
    const out: string[] = [];
    expect(await evaluate([path.join(EXAMPLES_DIR, 'iec-hs-axicel.json'), '--url', url, ...sign(), '--fhir-server', fhir.baseUrl], (s) => out.push(s))).toBe(0);
    expect(out.join('\n')).toMatch(/"indicator": "critical"/);
    expect(fhir.requests.some((r) => r.includes('Observation?'))).toBe(true);
  });

  it('one --bearer token for both calls cannot pass: its aud fits one endpoint only', async () => {
    const token: string[] = [];
    await devToken(['mint', '--aud', 'http://localhost:8080/cds-services/hlh-screen', '--dir', dir], (s) => token.push(s));
    await expect(evaluate([path.join(EXAMPLES_DIR, 'iec-hs-axicel.json'), '--url', url, '--bearer', token[0]!], () => undefined)).rejects.toThrow(/cds-services → 401/);
    await expect(evaluate([path.join(EXAMPLES_DIR, 'iec-hs-axicel.json'), '--url', url, '--bearer', 'x', '--sign', 'y'])).rejects.toThrow(/mutually exclusive/);
  });
});
