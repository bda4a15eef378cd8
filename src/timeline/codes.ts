/**
 * Code and name matching. Codes are compared by system + code only (never display text). Systems are
 * mapped through the knowledge's `codeSystemAliases`; ICD-10 codes are compared without their dot and in
 * upper case ("R16.1" = "R161" = "r16.1"), since feeds send both forms.
 */
import type { Coding } from './types';
import { isRecord, records, str } from './util';

export class CodeNormalizer {
  constructor(private readonly systemAliases: Readonly<Record<string, string>>) {}

  system(system: string): string {
    return this.systemAliases[system] ?? system;
  }

  /** `system|code` key, or undefined if either part is missing. */
  key(system: unknown, code: unknown): string | undefined {
    const s = str(system);
    const c = str(code);
    if (s === undefined || c === undefined) return undefined;
    const sys = this.system(s);
    return `${sys}|${/icd-?10/i.test(sys) ? c.replace(/\./g, '').toUpperCase() : c}`;
  }
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
