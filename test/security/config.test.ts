/**
 * Issue 6 — the `security` config section: defaults, what the schema refuses, environment variables,
 * issuer key sets validated at start-up, and the embedded default of createRuntime.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '../../src/config/schema';
import { loadConfig, ConfigError } from '../../src/config/load';
import { createSecurity, SecurityConfigError } from '../../src/security';
import { createLogger } from '../../src/log/logger';
import { createRuntime } from '../../src/app';
import { captureLog } from './harness';
import { testKey, TEST_ISS, type TestKey } from '../support/jwt';

let es: TestKey;
beforeAll(async () => {
  es = await testKey('ES384');
});

const dir = mkdtempSync(join(tmpdir(), 'hlh-sec-'));

function issuer(extra: Record<string, unknown> = {}) {
  return { iss: TEST_ISS, jwks: { keys: [es.publicJwk] }, fhirServers: ['https://fhir.test.example/r4'], ...extra };
}

function errorsOf(input: unknown): string {
  const r = configSchema.safeParse(input);
  return r.success ? '' : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n');
}

describe('schema', () => {
  it('safe defaults', () => {
    expect(configSchema.parse({}).security).toEqual({
      auth: {
        mode: 'required',
        clockSkewSeconds: 60,
        algorithms: ['ES384', 'RS384'],
        maxTokenLifetimeSeconds: 3600,
        replayCacheSize: 100_000,
        jwksTimeoutMs: 2000,
        jwksCacheMaxAgeMs: 600_000,
        issuers: [],
      },
      fhir: { allowHttpLoopback: false, allowHttpHosts: [] },
      trustProxy: false,
    });
  });

  it.each(['none', 'HS256', 'HS384', 'HS512', 'hs256', 'RSA1_5'])('refuses algorithm %s', (alg) => {
    expect(errorsOf({ security: { auth: { algorithms: ['ES384', alg] } } })).toMatch(/never accepted/);
  });

  it('refuses private or symmetric key material in a JWKS', () => {
    expect(errorsOf({ security: { auth: { issuers: [issuer({ jwks: { keys: [{ ...es.publicJwk, d: 'secret' }] } })] } } })).toMatch(/private or symmetric/);
    expect(errorsOf({ security: { auth: { issuers: [issuer({ jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } })] } } })).not.toBe('');
  });

  it('refuses bad issuer entries: missing fhirServers, unknown keys, duplicate iss, credentials or queries in URLs', () => {
    const { fhirServers: _omit, ...noServers } = issuer();
    expect(errorsOf({ security: { auth: { issuers: [noServers] } } })).toMatch(/fhirServers/);
    expect(errorsOf({ security: { auth: { issuers: [issuer({ fhirserver: [] })] } } })).toMatch(/Unrecognized key/);
    expect(errorsOf({ security: { auth: { issuers: [issuer(), issuer()] } } })).toMatch(/duplicate issuer/);
    expect(errorsOf({ security: { auth: { issuers: [issuer({ fhirServers: ['https://u:p@fhir.example'] })] } } })).toMatch(/credentials/);
    expect(errorsOf({ security: { auth: { issuers: [issuer({ fhirServers: ['https://fhir.example/?x=1'] })] } } })).toMatch(/query/);
    expect(errorsOf({ security: { auth: { issuers: [issuer({ jwks: { jku: ['not a url'] } })] } } })).toMatch(/absolute URL/);
    expect(errorsOf({ security: { auth: { mode: 'off' } } })).toMatch(/mode/);
  });

  it('accepts the three JWKS sources', () => {
    for (const jwks of [{ keys: [es.publicJwk] }, { file: '/x/jwks.json' }, { jku: ['https://ehr.example/jwks'] }]) {
      expect(errorsOf({ security: { auth: { issuers: [issuer({ jwks })] } } })).toBe('');
    }
  });
});

describe('environment and CONFIG_FILE', () => {
  it('env variables fill the security section', () => {
    const c = loadConfig({
      AUTH_MODE: 'disabled-dev',
      AUTH_CLOCK_SKEW_SECONDS: '30',
      AUTH_ALGORITHMS: 'ES384, PS384',
      PUBLIC_BASE_URL: 'https://cds.example.org',
      TRUST_PROXY: '1',
      FHIR_ALLOW_HTTP_LOOPBACK: 'true',
      FHIR_ALLOWED_SERVERS_WHEN_AUTH_DISABLED: 'https://a.example/fhir,https://b.example/fhir',
      AUTH_ISSUERS: JSON.stringify([issuer()]),
    });
    expect(c.security.auth.mode).toBe('disabled-dev');
    expect(c.security.auth.clockSkewSeconds).toBe(30);
    expect(c.security.auth.algorithms).toEqual(['ES384', 'PS384']);
    expect(c.security.publicBaseUrl).toBe('https://cds.example.org');
    expect(c.security.trustProxy).toBe(1);
    expect(c.security.fhir.allowHttpLoopback).toBe(true);
    expect(c.security.fhir.allowedFhirServersWhenAuthDisabled).toEqual(['https://a.example/fhir', 'https://b.example/fhir']);
    expect(c.security.auth.issuers[0]!.iss).toBe(TEST_ISS);
    expect(loadConfig({ FHIR_ALLOW_HTTP_LOOPBACK: 'false', TRUST_PROXY: 'loopback' }).security).toMatchObject({
      fhir: { allowHttpLoopback: false },
      trustProxy: 'loopback',
    });
  });

  it('bad env values name the variable', () => {
    expect(() => loadConfig({ AUTH_MODE: 'none' })).toThrow(/security\.auth\.mode \(env AUTH_MODE\)/);
    expect(() => loadConfig({ AUTH_ALGORITHMS: 'HS256' })).toThrow(ConfigError);
    expect(() => loadConfig({ AUTH_ISSUERS: '{not json' })).toThrow(/AUTH_ISSUERS/);
    expect(() => loadConfig({ FHIR_ALLOW_HTTP_LOOPBACK: 'maybe' })).toThrow(/FHIR_ALLOW_HTTP_LOOPBACK/);
  });

  it('issuers from CONFIG_FILE with a JWKS file; env AUTH_MODE overrides the file', () => {
    const jwksFile = join(dir, 'ehr-jwks.json');
    writeFileSync(jwksFile, JSON.stringify({ keys: [es.publicJwk] }));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ security: { publicBaseUrl: 'https://cds.example.org', auth: { issuers: [issuer({ jwks: { file: jwksFile } })] } } }));
    const c = loadConfig({ CONFIG_FILE: file });
    expect(c.security.auth.mode).toBe('required');
    const log = captureLog();
    expect(() => createSecurity(c.security, createLogger('info', log.stream))).not.toThrow();
    expect(log.lines.join('\n')).toMatch(/registered EHR issuers/);
    expect(loadConfig({ CONFIG_FILE: file, AUTH_MODE: 'disabled-dev' }).security.auth.mode).toBe('disabled-dev');
  });
});

describe('start-up validation of key sets (createSecurity)', () => {
  const logger = createLogger('silent');
  const build = (iss: Record<string, unknown>, fhir: Record<string, unknown> = {}) =>
    createSecurity(configSchema.parse({ security: { auth: { issuers: [iss] }, fhir } }).security, logger);

  it('a missing or invalid JWKS file stops start-up', () => {
    expect(() => build(issuer({ jwks: { file: join(dir, 'nope.json') } }))).toThrow(SecurityConfigError);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ keys: [{ ...es.publicJwk, d: 'private!' }] }));
    expect(() => build(issuer({ jwks: { file: bad } }))).toThrow(/private or symmetric/);
  });

  it('jku URLs must be https (http only on loopback in dev), never metadata literals', () => {
    expect(() => build(issuer({ jwks: { jku: ['http://ehr.example/jwks'] } }))).toThrow(/only https/);
    expect(() => build(issuer({ jwks: { jku: ['https://169.254.169.254/jwks'] } }))).toThrow(/link-local/);
    expect(() => build(issuer({ jwks: { jku: ['http://127.0.0.1:9999/jwks'] } }), { allowHttpLoopback: true })).not.toThrow();
  });
});

describe('embedded default (npm start with no configuration)', () => {
  it('createRuntime wires authentication on, with a start-up warning naming both ways out', () => {
    const log = captureLog();
    // STORE_KIND=memory keeps the card log off the disk; nothing security-related is configured.
    const deps = createRuntime(loadConfig({ STORE_KIND: 'memory' }), createLogger('info', log.stream));
    expect(deps.authenticate).toBeDefined();
    expect(deps.checkFhirServer).toBeDefined();
    expect(deps.health?.()).toMatchObject({ auth: 'required', warning: expect.stringMatching(/no EHR issuer/) });
    const text = log.lines.join('\n');
    expect(text).toMatch(/security\.auth\.issuers/);
    expect(text).toMatch(/AUTH_MODE=disabled-dev/);
    void deps.close?.();
  });
});
