/**
 * Input handling: flatten Bundles (recursively), reject junk, turn OperationOutcomes into DataIssues,
 * de-duplicate resources by type + id, and decide which patient the timeline is about.
 *
 * Duplicate rule (resources): the same `Type/id` seen more than once is kept once. When the copies differ,
 * the latest `meta.lastUpdated` wins, then the highest `meta.versionId`, then an amended/corrected status, then
 * the longest (most complete) canonical JSON, then the lexically smallest, so the choice never depends on input
 * order; a `duplicate-resource-differs` info issue records it, except when an amended or corrected Observation
 * wins (a correction is not a conflict). A resource without a usable id gets a content-derived id
 * (`anon-<sha1 prefix>`), so identical copies still collapse.
 */
import type { DataIssue } from './types';
import { toEpochMs } from './time';
import { cmpNum, cmpStr, isRecord, type Json, records, shortHash, stableStringify, str } from './util';
import { dataIssue, term } from '../vocabulary';

/** Resource types the data layer reads; every other valid resource type is ignored silently. */
const READ_TYPES = new Set([
  'Patient',
  'Observation',
  'Condition',
  'MedicationAdministration',
  'MedicationRequest',
  'MedicationStatement',
  'Procedure',
  'Medication',
]);

const MAX_DEPTH = 16; // nested Bundles (e.g. a batch-response inside a searchset); deeper is junk
const FHIR_ID = /^[A-Za-z0-9\-.]{1,256}$/;

export interface Entry {
  type: string;
  id: string;
  /** `Type/id`, the evidence reference used in `source` fields. */
  key: string;
  resource: Json;
}

/** `Type/id` or a Bundle fullUrl → the kept resource (for medicationReference and urn:uuid subjects). */
export interface RefIndex {
  get(ref: string): Entry | undefined;
  /** True when `ref` is a fullUrl claimed by more than one resource (it then proves nothing about identity). */
  isAmbiguous(ref: string): boolean;
}

export interface Ingested {
  /**
   * Kept resources per type, in arrival order. Not sorted: every list the timeline outputs is sorted later by a
   * total order (labs, not-evaluable values, findings, exposures, issues), so the order here never shows.
   */
  byType: Map<string, Entry[]>;
  index: RefIndex;
}

/** Per resource type: id → entry. */
type ById = Map<string, Map<string, Entry>>;

/**
 * `Type/id` first, then fullUrl. The fullUrl map is built on the first lookup that is not a `Type/id` (most
 * references in a prefetch are `Patient/x`): building it for every resource of every call cost two Map
 * insertions per resource. A fullUrl claimed by several resources resolves to the smallest key; a fullUrl that
 * is also some resource's `Type/id` resolves to that resource.
 */
class LazyRefIndex implements RefIndex {
  private byUrl: Map<string, Entry> | undefined;
  private readonly ambiguous = new Set<string>();

  constructor(
    private readonly byId: ById,
    /** fullUrl, key, fullUrl, key… in arrival order. */
    private readonly urlPairs: string[],
  ) {}

  private byKey(ref: string): Entry | undefined {
    const slash = ref.indexOf('/');
    if (slash <= 0) return undefined;
    return this.byId.get(ref.slice(0, slash))?.get(ref.slice(slash + 1));
  }

  get(ref: string): Entry | undefined {
    const direct = this.byKey(ref);
    if (direct !== undefined || this.urlPairs.length === 0) return direct;
    if (this.byUrl === undefined) this.byUrl = this.buildUrls();
    return this.byUrl.get(ref);
  }

  isAmbiguous(ref: string): boolean {
    if (this.urlPairs.length === 0) return false;
    if (this.byUrl === undefined) this.byUrl = this.buildUrls();
    return this.ambiguous.has(ref);
  }

  private buildUrls(): Map<string, Entry> {
    const claims = new Map<string, string>();
    const pairs = this.urlPairs;
    for (let i = 0; i < pairs.length; i += 2) {
      const url = pairs[i] as string;
      const key = pairs[i + 1] as string;
      const prior = claims.get(url);
      if (prior !== undefined && prior !== key) this.ambiguous.add(url);
      if (prior === undefined || cmpStr(key, prior) < 0) claims.set(url, key);
    }
    const out = new Map<string, Entry>();
    for (const [url, key] of claims) {
      const entry = this.byKey(key);
      if (entry !== undefined && this.byKey(url) === undefined) out.set(url, entry);
    }
    return out;
  }
}

function operationOutcomeIssues(oo: Json, issues: DataIssue[]): void {
  const source = str(oo.id) !== undefined ? `OperationOutcome/${str(oo.id)}` : undefined;
  const list = records(oo.issue);
  if (list.length === 0) {
    issues.push(dataIssue('warning', 'operation-outcome-empty', {}, source));
  }
  for (const i of list) {
    const sev = str(i.severity);
    const details = isRecord(i.details) ? str(i.details.text) : undefined;
    const text = str(i.diagnostics) ?? details ?? term('no-details');
    // FHIR's own codes (IssueSeverity, IssueType) and the server's text: data, shown as sent.
    const params = { severity: sev ?? 'error', code: str(i.code) ?? 'unknown', text };
    issues.push(dataIssue(sev === 'information' ? 'info' : 'warning', 'operation-outcome', params, source));
  }
}

function versionOrder(a: Json, b: Json): number {
  const ma = isRecord(a.meta) ? a.meta : {};
  const mb = isRecord(b.meta) ? b.meta : {};
  const byUpdated = cmpNum(toEpochMs(str(mb.lastUpdated)), toEpochMs(str(ma.lastUpdated)));
  if (byUpdated) return byUpdated;
  const va = str(ma.versionId);
  const vb = str(mb.versionId);
  const na = va !== undefined && /^\d+$/.test(va) ? Number(va) : undefined;
  const nb = vb !== undefined && /^\d+$/.test(vb) ? Number(vb) : undefined;
  const ja = stableStringify(a);
  const jb = stableStringify(b);
  return cmpNum(nb, na) || cmpStr(vb, va) || cmpNum(correctionRank(b), correctionRank(a)) || jb.length - ja.length || cmpStr(ja, jb);
}

/** An amended or corrected version comes after the final one it replaces (FHIR R4 ObservationStatus). */
function correctionRank(r: Json): number {
  return r.status === 'amended' || r.status === 'corrected' ? 1 : 0;
}

/** An input object that is not a kept resource: a Bundle's entries are visited, an OperationOutcome is reported. */
function visitContainer(item: Json, depth: number, issues: DataIssue[], visit: (item: unknown, depth: number, fullUrl: string | undefined) => void): void {
  const rawType = item.resourceType;
  const type = typeof rawType === 'string' && /^[A-Z][A-Za-z]{1,63}$/.test(rawType) ? rawType : undefined;
  if (type === undefined) {
    issues.push(dataIssue('warning', 'invalid-resource', {}));
    return;
  }
  if (type === 'Bundle') {
    if (depth >= MAX_DEPTH) {
      issues.push(dataIssue('warning', 'bundle-too-deep', { max: MAX_DEPTH }));
      return;
    }
    for (const e of records(item.entry)) {
      if (e.resource !== undefined) visit(e.resource, depth + 1, str(e.fullUrl));
      if (isRecord(e.response) && e.response.outcome !== undefined) visit(e.response.outcome, depth + 1, undefined);
    }
    return;
  }
  if (type === 'OperationOutcome') operationOutcomeIssues(item, issues);
}

/**
 * A resource that arrived more than once keeps its latest version (versionOrder); differing content is reported,
 * except an Observation correction, which supersedes silently.
 */
function keepLatestVersions(versionsOf: Map<string, Json[]>, byId: ById, issues: DataIssue[]): void {
  for (const [key, versions] of versionsOf) {
    const distinct = new Map(versions.map((v) => [stableStringify(v), v]));
    if (distinct.size < 2) continue;
    const slash = key.indexOf('/');
    const entry = byId.get(key.slice(0, slash))?.get(key.slice(slash + 1)) as Entry;
    entry.resource = [...distinct.values()].sort(versionOrder)[0] as Json;
    if (entry.type === 'Observation' && correctionRank(entry.resource) === 1) continue; // a correction supersedes silently
    issues.push(dataIssue('info', 'duplicate-resource-differs', { reference: key, n: distinct.size }, key));
  }
}

export function ingest(input: readonly unknown[], issues: DataIssue[]): Ingested {
  // Hot (Map operations on freshly parsed strings dominate): one entry per `Type/id`, made when the id is first
  // seen (resource = the first version), extra versions aside. Looked up by type, then id: no `Type/id` string
  // has to be flattened and hashed per resource.
  const byType = new Map<string, Entry[]>();
  const byId: ById = new Map();
  /** Versions of keys that arrived more than once (all of them, first one included), in arrival order. */
  const versionsOf = new Map<string, Json[]>();
  /** fullUrl, key pairs (see LazyRefIndex). */
  const urlPairs: string[] = [];
  // Strong collections on purpose: they live for one call, and weak ones make GC markedly slower at 10k items.
  // Objects already visited → their key (undefined for objects that are not kept resources).
  const seen = new Map<object, string | undefined>();
  const addUrl = (fullUrl: string | undefined, key: string | undefined): void => {
    if (fullUrl !== undefined && key !== undefined) urlPairs.push(fullUrl, key);
  };

  const visit = (item: unknown, depth: number, fullUrl: string | undefined): void => {
    if (!isRecord(item)) {
      if (item !== undefined && item !== null) {
        issues.push(dataIssue('warning', 'input-item-not-resource', { kind: Array.isArray(item) ? 'array' : typeof item }));
      } else {
        issues.push(dataIssue('warning', 'input-item-empty', {}));
      }
      return;
    }
    if (seen.has(item)) {
      addUrl(fullUrl, seen.get(item)); // the same object twice (or a cycle): read once, every fullUrl kept
      return;
    }
    const rawType = item.resourceType;
    const read = typeof rawType === 'string' && READ_TYPES.has(rawType);
    if (!read) {
      // Not a kept resource: remembered as visited (before any recursion, so cycles stop here).
      seen.set(item, undefined);
      visitContainer(item, depth, issues, visit);
      return;
    }
    const type = rawType;
    const rawId = str(item.id);
    let id: string;
    if (rawId !== undefined && FHIR_ID.test(rawId)) id = rawId;
    else {
      id = `anon-${shortHash(stableStringify(item))}`;
      const reference = `${type}/${id}`;
      issues.push(dataIssue('info', rawId === undefined ? 'resource-without-id' : 'invalid-resource-id', { type, reference }, reference));
    }
    let ids = byId.get(type);
    if (ids === undefined) {
      byId.set(type, (ids = new Map()));
      byType.set(type, []);
    }
    const entry = ids.get(id);
    const key = entry === undefined ? `${type}/${id}` : entry.key;
    if (entry === undefined) {
      const created: Entry = { type, id, key, resource: item };
      ids.set(id, created);
      (byType.get(type) as Entry[]).push(created);
    } else {
      const versions = versionsOf.get(key);
      if (versions) versions.push(item);
      else versionsOf.set(key, [entry.resource, item]);
    }
    // A kept resource with its own id is not recorded in `seen` (giving a parsed object an identity hash is the
    // costliest step here): the same object met again takes this path once more, with the same key and URL, and
    // its extra copy in versionsOf has identical content, so it changes nothing. An anon id is hashed once.
    if (id !== rawId) seen.set(item, key);
    addUrl(fullUrl, key);
  };

  for (const item of input) visit(item, 0, undefined);

  keepLatestVersions(versionsOf, byId, issues);
  return { byType, index: new LazyRefIndex(byId, urlPairs) };
}

/** `{type, id}` of a literal reference (relative, absolute, versioned, or a Bundle fullUrl), if readable. */
export function parseReference(ref: unknown, index: RefIndex): { type: string; id: string } | undefined {
  const r = isRecord(ref) ? str(ref.reference) : undefined;
  if (r === undefined) return undefined;
  const viaUrl = index.get(r);
  if (viaUrl) return { type: viaUrl.type, id: viaUrl.id };
  const m = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,256})(?:\/_history\/[^/]+)?$/.exec(r);
  return m ? { type: m[1] as string, id: m[2] as string } : undefined;
}

/** The reference to the patient a clinical resource is about. */
export function subjectOf(resource: Json): unknown {
  return resource.subject ?? resource.patient;
}
