import { readFileSync } from 'node:fs';
import { defaultKnowledge, knowledgeSchema, type Knowledge } from './index';
import { issuePath } from '../vocabulary';
import { SITE_SOURCE_ID } from './provenance';
import { isKnowledgeValue } from './values';

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

function at(root: unknown, keys: readonly string[]): unknown {
  let node = root;
  for (const k of keys) node = isObject(node) || Array.isArray(node) ? (node as Record<string, unknown>)[k] : undefined;
  return node;
}

/**
 * A knowledge value the site changed keeps the shipped status and citation only if the site cites its own: otherwise
 * it is the site's decision (`design`, source `site`), never the paper's.
 */
function citeSiteChanges(merged: unknown, override: unknown, changed: readonly string[]): void {
  for (const path of changed) {
    const keys = path.split('.');
    for (let i = keys.length; i > 0; i--) {
      const node = at(merged, keys.slice(0, i));
      if (!isKnowledgeValue(node)) continue;
      const own = at(override, keys.slice(0, i));
      if (!isObject(own) || (own.status === undefined && own.source === undefined)) {
        node.status = 'design';
        node.source = { id: SITE_SOURCE_ID };
      }
      break;
    }
  }
}

/** Applies a site's override object to the shipped knowledge and validates the result. */
export function applyKnowledgeOverride(override: unknown, base: Knowledge = defaultKnowledge): Knowledge {
  if (!isObject(override)) throw new KnowledgeError('knowledge override must be a JSON object');
  // `$schema` points editors at docs/knowledge.schema.json; `overrides` is computed here, never read.
  const { version: _v, overrides: _o, $schema: _s, ...rest } = override;
  const { value, changed } = mergeOverride(base, rest);
  citeSiteChanges(value, rest, changed);
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
