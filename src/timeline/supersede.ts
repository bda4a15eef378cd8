/**
 * Corrected and amended results supersede the earlier version of the same Observation (FHIR R4 ObservationStatus:
 * `amended` and `corrected` are "subsequent to being final"). Versions of one resource id are resolved when the
 * input is read (./ingest.ts); this module handles a correction sent as a new resource that carries the same
 * identifier (system and value) as the result it replaces, as laboratory interfaces do. The earlier versions are
 * dropped silently: a correction is not a "conflicting value", and a trend must not show both.
 *
 * "The same Observation" is the same identifier AND the same test (a shared Observation.code coding). Feeds often
 * put the accession or order number of the whole draw in Observation.identifier: an amended ALT shares it with the
 * ferritin and fibrinogen of that draw, and must never remove them. When a correction's identifier also marks
 * results of other tests, those are kept and an info issue says so.
 *
 * Within a group of Observations linked by shared identifiers (only groups holding an amended/corrected one),
 * the one kept is the highest status (amended/corrected, then final, then preliminary), then the latest
 * meta.lastUpdated, then the latest issued, then the lexically smallest key (so input order never decides).
 * Identifiers without a system are ignored: a bare value may repeat across systems. Only the context patient's
 * resources are grouped, so another patient's record can never supersede one of this patient's.
 *
 * Corrections are rare, so nothing here runs unless the Observation pass saw one (`LabAcc.correctionSeen`): the
 * superseded resources' values, findings and issues are then removed from what that pass produced.
 */
import type { Entry } from './ingest';
import type { LabAcc } from './context';
import type { DataIssue } from './types';
import { toEpochMs } from './time';
import { arr, cmpNum, cmpStr, isRecord, str } from './util';
import { dataIssue } from '../vocabulary';

function isCorrection(status: unknown): boolean {
  return status === 'amended' || status === 'corrected';
}

function rank(status: unknown): number {
  return isCorrection(status) ? 3 : status === 'final' ? 2 : status === 'preliminary' ? 1 : 0;
}

/** `system|<field>` of each element of a list that has both (Identifier.value, Coding.code). */
function systemKeys(list: unknown, field: 'value' | 'code'): string[] {
  const out: string[] = [];
  for (const x of arr(list)) {
    if (!isRecord(x)) continue;
    const system = str(x.system);
    const value = str(x[field]);
    if (system !== undefined && value !== undefined) out.push(`${system}|${value}`);
  }
  return out;
}

function identifierKeys(resource: Record<string, unknown>): string[] {
  return systemKeys(resource.identifier, 'value');
}

/** The test an Observation reports: its code codings (`system|code`). */
function testKeys(resource: Record<string, unknown>): string[] {
  return systemKeys(isRecord(resource.code) ? resource.code.coding : undefined, 'code');
}

/** Identifier × test: two Observations are versions of one result only when they share one of these. */
function resultKeys(resource: Record<string, unknown>): string[] {
  const tests = testKeys(resource);
  return identifierKeys(resource).flatMap((id) => tests.map((t) => `${id}\u0000${t}`));
}

/** Positive when a should be kept over b. */
function newer(a: Entry, b: Entry): number {
  const ra = a.resource;
  const rb = b.resource;
  const updated = (r: Record<string, unknown>) => toEpochMs(isRecord(r.meta) ? str(r.meta.lastUpdated) : undefined);
  return (
    rank(ra.status) - rank(rb.status) ||
    cmpNum(updated(ra), updated(rb)) ||
    cmpNum(toEpochMs(str(ra.issued)), toEpochMs(str(rb.issued))) ||
    cmpStr(b.key, a.key)
  );
}

/**
 * The Observations superseded by a correction of the same result, among those `ours` accepts; an info issue for
 * each correction whose identifier also marks results of other tests (kept).
 */
export function supersededObservations(entries: readonly Entry[], ours: (e: Entry) => boolean, issues: DataIssue[]): Set<Entry> | undefined {
  const correctionKeys = new Set<string>();
  const corrections: Entry[] = [];
  for (const e of entries) {
    if (!isCorrection(e.resource.status) || !ours(e)) continue;
    corrections.push(e);
    for (const k of resultKeys(e.resource)) correctionKeys.add(k);
  }
  if (correctionKeys.size === 0) return undefined;
  reportSharedIdentifiers(entries, ours, corrections, issues);
  // Union of the entries that share any of those identifiers.
  const parent = new Map<Entry, Entry>();
  const find = (e: Entry): Entry => {
    let root = e;
    while (parent.get(root) !== root) root = parent.get(root) as Entry;
    return root;
  };
  const owner = new Map<string, Entry>();
  for (const e of entries) {
    const keys = resultKeys(e.resource).filter((k) => correctionKeys.has(k));
    if (keys.length === 0 || !ours(e)) continue;
    parent.set(e, e);
    for (const k of keys) {
      const other = owner.get(k);
      if (other === undefined) owner.set(k, e);
      else parent.set(find(e), find(other));
    }
  }
  const best = new Map<Entry, Entry>();
  for (const e of parent.keys()) {
    const root = find(e);
    const cur = best.get(root);
    if (cur === undefined || newer(e, cur) > 0) best.set(root, e);
  }
  const out = new Set<Entry>();
  for (const e of parent.keys()) if (best.get(find(e)) !== e) out.add(e);
  return out.size ? out : undefined;
}

/** Info issue per correction whose identifier is shared with results of another test (e.g. an accession number). */
function reportSharedIdentifiers(entries: readonly Entry[], ours: (e: Entry) => boolean, corrections: readonly Entry[], issues: DataIssue[]): void {
  const byId = new Map<string, Entry[]>();
  for (const c of corrections) for (const k of identifierKeys(c.resource)) byId.set(k, []);
  for (const e of entries) {
    if (!ours(e)) continue;
    for (const k of new Set(identifierKeys(e.resource))) byId.get(k)?.push(e);
  }
  for (const c of corrections) {
    const tests = new Set(testKeys(c.resource));
    const others = new Set<Entry>();
    for (const k of identifierKeys(c.resource)) {
      for (const e of byId.get(k) ?? []) if (e !== c && !testKeys(e.resource).some((t) => tests.has(t))) others.add(e);
    }
    if (others.size === 0) continue;
    issues.push(dataIssue('info', 'correction-identifier-shared', { status: String(c.resource.status), n: others.size }, c.key));
  }
}

/** `Observation/id` of a value's source (`Observation/id#component[2]`). */
function resourceKey(source: string): string {
  const hash = source.indexOf('#');
  return hash < 0 ? source : source.slice(0, hash);
}

/** Removes what superseded Observations contributed: values (with their parsed times), findings and issues. */
export function dropSuperseded(acc: LabAcc, superseded: ReadonlySet<Entry>): void {
  const keys = new Set<string>();
  for (const e of superseded) keys.add(e.key);
  const gone = (source: string | undefined) => source !== undefined && keys.has(resourceKey(source));
  let w = 0;
  for (let i = 0; i < acc.labs.length; i++) {
    if (gone(acc.labs[i]?.source)) continue;
    acc.labs[w] = acc.labs[i] as LabAcc['labs'][number];
    acc.labMs[w] = acc.labMs[i] as number;
    w++;
  }
  acc.labs.length = w;
  acc.labMs.length = w;
  const keep = <T extends { source?: string }>(list: T[]) => {
    let k = 0;
    for (const x of list) if (!gone(x.source)) list[k++] = x;
    list.length = k;
  };
  keep(acc.notEvaluable);
  keep(acc.findings);
  keep(acc.issues); // the shared issue list: filtered in place
}
