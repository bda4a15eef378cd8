import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, ConfigError } from '../../src/config/load';
import { applyKnowledgeOverride, loadKnowledge, KnowledgeError } from '../../src/knowledge/load';
import { defaultKnowledge } from '../../src/knowledge';

const tmp = mkdtempSync(path.join(tmpdir(), 'hlh-config-'));
const file = (name: string, content: string) => {
  const p = path.join(tmp, name);
  writeFileSync(p, content);
  return p;
};

describe('loadConfig', () => {
  it('runs on defaults with an empty environment', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8080);
    expect(c.logLevel).toBe('info');
    expect(c.bodyLimit).toBe('10mb');
    expect(c.cors.origins).toBe('*');
  });

  it('reads PORT, LOG_LEVEL and nested keys from the environment', () => {
    const c = loadConfig({ PORT: '9090', LOG_LEVEL: 'warn', FHIR_TIMEOUT_MS: '1000', CORS_ORIGINS: 'https://a.org, https://b.org' });
    expect(c.port).toBe(9090);
    expect(c.logLevel).toBe('warn');
    expect(c.fhir.timeoutMs).toBe(1000);
    expect(c.cors.origins).toEqual(['https://a.org', 'https://b.org']);
  });

  it('SITE_TIMEZONE: an IANA name, validated at start-up; default UTC', () => {
    expect(loadConfig({}).siteTimeZone).toBe('UTC');
    expect(loadConfig({ SITE_TIMEZONE: 'Europe/Berlin' }).siteTimeZone).toBe('Europe/Berlin');
    expect(() => loadConfig({ SITE_TIMEZONE: 'Europe/Atlantis' })).toThrow(/siteTimeZone \(env SITE_TIMEZONE\): not a time zone/);
  });

  it('CARD_DETAIL: brief (default) or full; anything else stops start-up naming the key and the choices', () => {
    expect(loadConfig({}).cardDetail).toBe('brief');
    expect(loadConfig({ CARD_DETAIL: 'full' }).cardDetail).toBe('full');
    expect(() => loadConfig({ CARD_DETAIL: 'short' })).toThrow('cardDetail (env CARD_DETAIL): must be "brief" (the default) or "full"');
  });
  it('environment wins over the config file; file fills the rest', () => {
    const p = file('c.json', JSON.stringify({ port: 7000, fhir: { maxPages: 9 } }));
    const c = loadConfig({ CONFIG_FILE: p, PORT: '7001' });
    expect(c.port).toBe(7001);
    expect(c.fhir.maxPages).toBe(9);
    expect(c.fhir.timeoutMs).toBe(2500);
  });

  it.each([
    [{ PORT: 'eighty' }, /port \(env PORT\)/],
    [{ LOG_LEVEL: 'loud' }, /logLevel \(env LOG_LEVEL\)/],
    [{ FHIR_TIMEOUT_MS: '5' }, /fhir\.timeoutMs \(env FHIR_TIMEOUT_MS\)/],
    [{ PREFETCH_ON_OPERATION_OUTCOME: 'panic' }, /prefetch\.onOperationOutcome/],
  ])('a bad value names its key: %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('an unknown key in the config file is an error naming it', () => {
    const p = file('bad.json', JSON.stringify({ prot: 1 }));
    expect(() => loadConfig({ CONFIG_FILE: p })).toThrow(/prot/);
  });

  it('an unreadable or non-JSON config file is a ConfigError', () => {
    expect(() => loadConfig({ CONFIG_FILE: path.join(tmp, 'missing.json') })).toThrow(/cannot read/);
    expect(() => loadConfig({ CONFIG_FILE: file('x.json', '{nope') })).toThrow(/not a JSON object/);
  });
});

describe('knowledge overrides', () => {
  it('no file → the shipped defaults, no overrides', () => {
    expect(loadKnowledge()).toBe(defaultKnowledge);
    expect(defaultKnowledge.overrides).toEqual([]);
  });

  it('an override records the changed paths and a site version', () => {
    const k = applyKnowledgeOverride({ version: 'site-a', criteria: defaultKnowledge.criteria });
    expect(k.overrides).toEqual([]);
    expect(k.version).toBe(defaultKnowledge.version);
  });

  it('an invalid override is refused with the path', () => {
    expect(() => applyKnowledgeOverride({ criteria: 'nope' })).toThrow(KnowledgeError);
    expect(() => applyKnowledgeOverride({ criteria: 'nope' })).toThrow(/criteria/);
    expect(() => applyKnowledgeOverride([1])).toThrow(/JSON object/);
  });
});

describe('DEV_AS_OF (development clock)', () => {
  it('is accepted with AUTH_MODE=disabled-dev', () => {
    expect(loadConfig({ DEV_AS_OF: '2026-03-15T12:00:00Z', AUTH_MODE: 'disabled-dev' }).devAsOf).toBe('2026-03-15T12:00:00Z');
  });

  it('is refused with authentication on, naming the key', () => {
    expect(() => loadConfig({ DEV_AS_OF: '2026-03-15T12:00:00Z' })).toThrow(/devAsOf \(env DEV_AS_OF\): only allowed with AUTH_MODE=disabled-dev/);
    expect(() => loadConfig({ DEV_AS_OF: '2026-03-15T12:00:00Z', NODE_ENV: 'production' })).toThrow(/devAsOf/);
    expect(() => loadConfig({ DEV_AS_OF: '2026-03-15T12:00:00Z', NODE_ENV: 'test' })).toThrow(/devAsOf/);
  });

  it('is accepted with authentication on when NODE_ENV=development (the local stack signs its calls)', () => {
    expect(loadConfig({ DEV_AS_OF: '2026-03-15T12:00:00Z', NODE_ENV: 'development' }).devAsOf).toBe('2026-03-15T12:00:00Z');
  });

  it('is refused when not an ISO date-time', () => {
    expect(() => loadConfig({ DEV_AS_OF: 'yesterday', AUTH_MODE: 'disabled-dev' })).toThrow(/devAsOf/);
  });
});

describe('plain-http FHIR hosts (development)', () => {
  it('are accepted only with NODE_ENV=development', () => {
    expect(loadConfig({ FHIR_ALLOW_HTTP_HOSTS: 'fhir:8080, hapi', NODE_ENV: 'development' }).security.fhir.allowHttpHosts).toEqual(['fhir:8080', 'hapi']);
    for (const NODE_ENV of [undefined, 'production', 'test', 'Development']) {
      expect(() => loadConfig({ FHIR_ALLOW_HTTP_HOSTS: 'fhir:8080', ...(NODE_ENV ? { NODE_ENV } : {}) })).toThrow(
        /security\.fhir\.allowHttpHosts \(env FHIR_ALLOW_HTTP_HOSTS\): only allowed with NODE_ENV=development/,
      );
    }
    expect(() => loadConfig({ FHIR_ALLOW_HTTP_HOSTS: 'http://fhir:8080', NODE_ENV: 'development' })).toThrow(/host or host:port/);
  });
});

describe('createRuntime with DEV_AS_OF', () => {
  it('evaluates as of the configured instant', async () => {
    const { createRuntime } = await import('../../src/app');
    const { createLogger } = await import('../../src/log/logger');
    const config = loadConfig({ DEV_AS_OF: '2026-03-15T12:00:00Z', AUTH_MODE: 'disabled-dev', STORE_KIND: 'memory', LOG_LEVEL: 'silent' });
    const deps = createRuntime(config, createLogger('silent'));
    expect(deps.now?.().toISOString()).toBe('2026-03-15T12:00:00.000Z');
    await deps.close?.();
  });
});
