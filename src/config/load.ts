import { readFileSync } from 'node:fs';
import { configSchema, ENV_KEYS, type Config } from './schema';
import { securityEnvValue } from '../security/config';
import { issuePath } from '../vocabulary';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    node = (node[key] = typeof next === 'object' && next !== null ? { ...(next as object) } : {}) as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

/** CORS_ORIGINS is a comma-separated list, or `*`; METRICS_ALLOW a comma-separated list. */
function envValue(name: string, raw: string): unknown {
  if (name === 'CORS_ORIGINS') return raw.trim() === '*' ? '*' : raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (name === 'METRICS_ALLOW') return raw.split(',').map((s) => s.trim()).filter(Boolean);
  const security = securityEnvValue(name, raw);
  if (security) return security.value;
  return raw;
}

/**
 * Reads CONFIG_FILE (JSON) if set, overlays environment variables, validates. Throws ConfigError
 * whose message names every bad key (e.g. `fhir.timeoutMs (env FHIR_TIMEOUT_MS): ...`).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  let raw: Record<string, unknown> = {};
  const file = env.CONFIG_FILE;
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new ConfigError(`CONFIG_FILE ${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      raw = parsed as Record<string, unknown>;
    } catch (e) {
      throw new ConfigError(`CONFIG_FILE ${file}: not a JSON object (${(e as Error).message})`);
    }
  }
  const fromEnv = new Map<string, string>();
  for (const [name, path] of Object.entries({ ...ENV_KEYS, CORS_ORIGINS: ['cors', 'origins'] })) {
    const value = env[name];
    if (value !== undefined && value !== '') {
      setPath(raw, path, envValue(name, value));
      fromEnv.set(path.join('.'), name);
    }
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((i) => {
      const key = issuePath(i.path) || '(root)';
      const envName = fromEnv.get(i.path.join('.'));
      return `${key}${envName ? ` (env ${envName})` : ''}: ${i.message}`;
    });
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  return result.data;
}
