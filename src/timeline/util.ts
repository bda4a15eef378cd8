/**
 * Small helpers for reading untrusted JSON without trusting its shape, and for total orders.
 */
import { createHash } from 'node:crypto';
import { toEpochMs } from './time';

export type Json = Record<string, unknown>;

export function isRecord(x: unknown): x is Json {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** A non-empty trimmed string, else undefined. */
export function str(x: unknown): string | undefined {
  if (typeof x !== 'string') return undefined;
  const t = x.trim();
  return t === '' ? undefined : t;
}

export function arr(x: unknown): readonly unknown[] {
  return Array.isArray(x) ? x : [];
}

export function records(x: unknown): Json[] {
  return arr(x).filter(isRecord);
}

export function num(x: unknown): number | undefined {
  return typeof x === 'number' && Number.isFinite(x) ? x : undefined;
}

/** Code-unit order (locale-independent), for deterministic sorting. */
export function cmpStr(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  return a < b ? -1 : 1;
}

export function cmpNum(a: number | undefined, b: number | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `toEpochMs` (kept as the data layer's name for it; the common ISO shape is parsed without a regex). */
function epochMs(value: string | undefined): number | undefined {
  return toEpochMs(value);
}

/** Times compared as instants; unparseable/missing first; equal instants ordered by their text. */
export function cmpTime(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  return cmpNum(epochMs(a), epochMs(b)) || cmpStr(a, b);
}

/** JSON with sorted keys: equal content → equal text, whatever the key order. Cycles are cut. */
export function stableStringify(value: unknown): string {
  const seen = new WeakSet<object>();
  const walk = (v: unknown): unknown => {
    if (typeof v !== 'object' || v === null) return v;
    if (seen.has(v)) return '[cycle]';
    seen.add(v);
    let out: unknown;
    if (Array.isArray(v)) out = v.map(walk);
    else {
      const o: Json = {};
      for (const k of Object.keys(v).sort()) o[k] = walk((v as Json)[k]);
      out = o;
    }
    seen.delete(v);
    return out;
  };
  return JSON.stringify(walk(value)) ?? 'undefined';
}

export function shortHash(text: string): string {
  return createHash('sha1').update(text).digest('hex').slice(0, 12);
}

/** Normalise a thrown value (fhirpath.js throws plain strings) into a message. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'string') return e;
  try {
    return JSON.stringify(e) ?? String(e);
  } catch {
    return String(e);
  }
}

export function uniqueSorted(values: Iterable<string>): string[] {
  return [...new Set(values)].sort(cmpStr);
}
