/**
 * Code and name matching. Codes are compared by system + code only (never display text). Systems are
 * mapped through the knowledge's `codeSystemAliases`; ICD-10 codes are compared without their dot and in
 * upper case ("R16.1" = "R161" = "r16.1"), since feeds send both forms.
 */
import { isRecord, records, str } from './util';
import type { Coding } from '../vocabulary';

export class CodeNormalizer {
  /** Per system text: canonical system and whether codes are ICD-10 style (memoised, bounded). */
  private readonly systems = new Map<string, { system: string; icd: boolean }>();

  constructor(private readonly systemAliases: Readonly<Record<string, string>>) {}

  system(system: string): string {
    return Object.prototype.hasOwnProperty.call(this.systemAliases, system) ? (this.systemAliases[system] as string) : system;
  }

  /** Memo of `key` per raw system and raw code (bounded): one key string per distinct pair, no rebuilding. */
  private readonly keys = new Map<string, Map<string, string | null>>();
  private keyCount = 0;

  /** `system|code` key, or undefined if either part is missing. */
  key(system: unknown, code: unknown): string | undefined {
    if (typeof system !== 'string' || typeof code !== 'string') return undefined;
    let perSystem = this.keys.get(system);
    const hit = perSystem?.get(code);
    if (hit !== undefined) return hit ?? undefined;
    const result = this.keyUncached(system, code);
    if (this.keyCount < 10_000) {
      if (!perSystem) this.keys.set(system, (perSystem = new Map()));
      perSystem.set(code, result ?? null);
      this.keyCount++;
    }
    return result;
  }

  private keyUncached(system: string, code: string): string | undefined {
    const s = str(system);
    const c = str(code);
    if (s === undefined || c === undefined) return undefined;
    let info = this.systems.get(s);
    if (info === undefined) {
      const canonical = this.system(s);
      info = { system: canonical, icd: /icd-?10/i.test(canonical) };
      if (this.systems.size < 1000) this.systems.set(s, info);
    }
    return `${info.system}|${info.icd ? c.replace(/\./g, '').toUpperCase() : c}`;
  }
}

/** The first coding of a concept whose key is in `table`, with the table's value; no allocation on a miss. */
export function firstMatch<V>(
  concept: unknown,
  codes: CodeNormalizer,
  table: ReadonlyMap<string, V>,
): { coding: Coding; value: V; key: string } | undefined {
  if (!isRecord(concept) || !Array.isArray(concept.coding)) return undefined;
  for (const c of concept.coding) {
    if (!isRecord(c)) continue;
    const key = codes.key(c.system, c.code);
    if (key === undefined) continue;
    const value = table.get(key);
    if (value === undefined) continue;
    const display = str(c.display);
    const coding: Coding = { system: str(c.system) as string, code: str(c.code) as string };
    if (display !== undefined) coding.display = display;
    return { coding, value, key };
  }
  return undefined;
}

/** Whether any coding of a concept is in `table` (allocation-free prefilter). */
export function anyMatch(concept: unknown, codes: CodeNormalizer, table: ReadonlyMap<string, unknown> | ReadonlySet<string>): boolean {
  if (!isRecord(concept) || !Array.isArray(concept.coding)) return false;
  for (const c of concept.coding) {
    if (!isRecord(c)) continue;
    const key = codes.key(c.system, c.code);
    if (key !== undefined && table.has(key)) return true;
  }
  return false;
}

/** Codings of a CodeableConcept (well-formed ones only), in their original order. */
export function codingsOf(concept: unknown): Coding[] {
  if (!isRecord(concept)) return [];
  const out: Coding[] = [];
  for (const c of records(concept.coding)) {
    const system = str(c.system);
    const code = str(c.code);
    if (system === undefined || code === undefined) continue;
    const display = str(c.display);
    out.push(display === undefined ? { system, code } : { system, code, display });
  }
  return out;
}

/** Codes of a status-like CodeableConcept (system optional: status value sets are unambiguous). */
export function plainCodes(concept: unknown): string[] {
  if (!isRecord(concept)) return [];
  return records(concept.coding)
    .map((c) => str(c.code))
    .filter((c): c is string => c !== undefined);
}

/** Every human-readable text of a CodeableConcept: `text` and each coding's display. */
export function textsOf(concept: unknown): string[] {
  if (!isRecord(concept)) return [];
  const out: string[] = [];
  const t = str(concept.text);
  if (t !== undefined) out.push(t);
  for (const c of records(concept.coding)) {
    const d = str(c.display);
    if (d !== undefined) out.push(d);
  }
  return out;
}

/** Lower case, accents stripped, punctuation → space, the word "and" dropped. */
export function nameTokens(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((t) => t !== '' && t !== 'and');
}

/**
 * Whole-word sequence matcher: `match(text)` returns the entries whose name tokens appear contiguously
 * in the text's tokens, each with the (normalised) name that matched.
 */
export class NameMatcher<T> {
  private readonly byFirst = new Map<string, { tokens: string[]; name: string; entry: T }[]>();

  add(name: string, entry: T): void {
    const tokens = nameTokens(name);
    const first = tokens[0];
    if (first === undefined) return;
    const list = this.byFirst.get(first) ?? [];
    list.push({ tokens, name: tokens.join(' '), entry });
    this.byFirst.set(first, list);
  }

  match(text: string): { entry: T; name: string }[] {
    const tokens = nameTokens(text);
    const out: { entry: T; name: string }[] = [];
    for (let i = 0; i < tokens.length; i++) {
      const candidates = this.byFirst.get(tokens[i] as string);
      if (!candidates) continue;
      for (const c of candidates) {
        let ok = i + c.tokens.length <= tokens.length;
        for (let j = 1; ok && j < c.tokens.length; j++) ok = tokens[i + j] === c.tokens[j];
        if (ok) out.push({ entry: c.entry, name: c.name });
      }
    }
    return out;
  }
}
