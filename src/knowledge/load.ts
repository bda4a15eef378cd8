import { readFileSync } from 'node:fs';
import { defaultKnowledge, knowledgeSchema, type Knowledge } from './index';
import { issuePath } from '../vocabulary';

export class KnowledgeError extends Error {
  override name = 'KnowledgeError';
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function isObject(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Objects merge key by key; arrays and scalars replace. Returns the merged value and the dotted paths
 * that the override changed, so every card can say which site values were in force.
 */
function mergeOverride(base: unknown, override: unknown, path = ''): { value: unknown; changed: string[] } {
  if (isObject(base) && isObject(override)) {
    const out: Record<string, unknown> = { ...base };
    const changed: string[] = [];
    for (const [k, v] of Object.entries(override)) {
      if (k === '__proto__' || k === 'constructor' || k === 'prototype') continue;
      const r = mergeOverride(base[k], v, path ? `${path}.${k}` : k);
      out[k] = r.value;
      changed.push(...r.changed);
    }
    return { value: out, changed };
  }
  const same = JSON.stringify(base) === JSON.stringify(override);
  return { value: override, changed: same ? [] : [path] };
}

/** Applies a site's override object to the shipped knowledge and validates the result. */
export function applyKnowledgeOverride(override: unknown, base: Knowledge = defaultKnowledge): Knowledge {
  if (!isObject(override)) throw new KnowledgeError('knowledge override must be a JSON object');
  const { version: _v, overrides: _o, ...rest } = override;
  const { value, changed } = mergeOverride(base, rest);
  const siteVersion = typeof override.version === 'string' ? `${base.version}+${override.version}` : `${base.version}+site`;
  const result = knowledgeSchema.safeParse({ ...(value as object), version: changed.length ? siteVersion : base.version, overrides: changed.sort() });
  if (!result.success) {
    const lines = result.error.issues.map((i) => `${issuePath(i.path) || '(root)'}: ${i.message}`);
    throw new KnowledgeError(`invalid knowledge override:\n  ${lines.join('\n  ')}`);
  }
  return result.data;
}

export function loadKnowledge(file?: string): Knowledge {
  if (!file) return defaultKnowledge;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new KnowledgeError(`knowledge file ${file}: ${(e as Error).message}`);
  }
  return applyKnowledgeOverride(parsed);
}
