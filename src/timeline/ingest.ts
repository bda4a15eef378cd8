/**
 * Input handling: flatten Bundles (recursively), reject junk, turn OperationOutcomes into DataIssues,
 * de-duplicate resources by type + id, and decide which patient the timeline is about.
 *
 * Duplicate rule (resources): the same `Type/id` seen more than once is kept once. When the copies differ,
 * the latest `meta.lastUpdated` wins, then the highest `meta.versionId`, then the longest (most complete)
 * canonical JSON, then the lexically smallest, so the choice never depends on input order; a `duplicate-resource-differs` info issue
 * records it. A resource without a usable id gets a content-derived id (`anon-<sha1 prefix>`), so identical
 * copies still collapse.
 */
import type { DataIssue } from './types';
import { toEpochMs } from './time';
import { cmpNum, cmpStr, isRecord, type Json, records, shortHash, stableStringify, str } from './util';

/** Resource types the data layer reads; every other valid resource type is ignored silently. */
export const READ_TYPES = new Set([
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

export interface Ingested {
  /** Kept resources per type, sorted by key. */
  byType: Map<string, Entry[]>;
  /** `Type/id` and Bundle fullUrl → resource (for medicationReference and urn:uuid subjects). */
  index: Map<string, Entry>;
}

function operationOutcomeIssues(oo: Json, issues: DataIssue[]): void {
  const source = str(oo.id) !== undefined ? `OperationOutcome/${str(oo.id)}` : undefined;
  const list = records(oo.issue);
  if (list.length === 0) {
    issues.push({ severity: 'warning', code: 'operation-outcome', message: 'OperationOutcome without issue details', ...(source ? { source } : {}) });
  }
  for (const i of list) {
    const sev = str(i.severity);
    const details = isRecord(i.details) ? str(i.details.text) : undefined;
    const text = str(i.diagnostics) ?? details ?? str(i.code) ?? 'no details';
    issues.push({
      severity: sev === 'information' ? 'info' : 'warning',
      code: 'operation-outcome',
      message: `${sev ?? 'issue'}${str(i.code) ? ` (${str(i.code)})` : ''}: ${text}`,
      ...(source ? { source } : {}),
    });
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
  return cmpNum(nb, na) || cmpStr(vb, va) || jb.length - ja.length || cmpStr(ja, jb);
}

export function ingest(input: readonly unknown[], issues: DataIssue[]): Ingested {
  // Hot at 10k resources (Map operations on freshly parsed strings dominate): one entry per `Type/id`, made
  // when the key is first seen (resource = the first version), extra versions aside; the sort and the index
  // below then need no further lookups by key.
  const entries: Entry[] = [];
  const byKey = new Map<string, Entry>();
  /** Versions of keys that arrived more than once (all of them, first one included), in arrival order. */
  const versionsOf = new Map<string, Json[]>();
  /** fullUrl → the key (or keys, when several resources claim it). */
  const fullUrls = new Map<string, string | string[]>();
  // Strong collections on purpose: they live for one call, and weak ones make GC markedly slower at 10k items.
  // Objects already visited → their key (undefined for objects that are not kept resources).
  const seen = new Map<object, string | undefined>();
  const addUrl = (fullUrl: string | undefined, key: string | undefined): void => {
    if (fullUrl === undefined || key === undefined) return;
    const urls = fullUrls.get(fullUrl);
    if (urls === undefined) fullUrls.set(fullUrl, key);
    else if (typeof urls === 'string') fullUrls.set(fullUrl, [urls, key]);
    else urls.push(key);
  };

  const visit = (item: unknown, depth: number, fullUrl: string | undefined): void => {
    if (!isRecord(item)) {
      if (item !== undefined && item !== null) {
        issues.push({ severity: 'warning', code: 'invalid-resource', message: `ignored a non-resource input item (${Array.isArray(item) ? 'array' : typeof item})` });
      } else {
        issues.push({ severity: 'warning', code: 'invalid-resource', message: 'ignored an empty input item' });
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
      const type = typeof rawType === 'string' && /^[A-Z][A-Za-z]{1,63}$/.test(rawType) ? rawType : undefined;
      if (type === undefined) {
        issues.push({ severity: 'warning', code: 'invalid-resource', message: 'ignored an object without a valid resourceType' });
        return;
      }
      if (type === 'Bundle') {
        if (depth >= MAX_DEPTH) {
          issues.push({ severity: 'warning', code: 'invalid-resource', message: `ignored Bundles nested deeper than ${MAX_DEPTH}` });
          return;
        }
        for (const e of records(item.entry)) {
          if (e.resource !== undefined) visit(e.resource, depth + 1, str(e.fullUrl));
          if (isRecord(e.response) && e.response.outcome !== undefined) visit(e.response.outcome, depth + 1, undefined);
        }
        return;
      }
      if (type === 'OperationOutcome') operationOutcomeIssues(item, issues);
      return;
    }
    const type = rawType;
    const rawId = str(item.id);
    let id: string;
    if (rawId !== undefined && FHIR_ID.test(rawId)) id = rawId;
    else {
      id = `anon-${shortHash(stableStringify(item))}`;
      issues.push({
        severity: 'info',
        code: rawId === undefined ? 'resource-without-id' : 'invalid-resource-id',
        message: `${type} ${rawId === undefined ? 'without an id' : 'with an invalid id'}: referenced as ${type}/${id}`,
        source: `${type}/${id}`,
      });
    }
    const key = `${type}/${id}`;
    const entry = byKey.get(key);
    if (entry === undefined) {
      const created: Entry = { type, id, key, resource: item };
      byKey.set(key, created);
      entries.push(created);
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

  const byType = new Map<string, Entry[]>();
  const index = new Map<string, Entry>();
  // Keys are unique: code-unit order of the keys, the same order as cmpStr.
  entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  let list: Entry[] | undefined;
  for (const entry of entries) {
    const { key } = entry;
    const versions = versionsOf.size ? versionsOf.get(key) : undefined;
    if (versions) {
      const distinct = new Map(versions.map((v) => [stableStringify(v), v]));
      if (distinct.size > 1) {
        entry.resource = [...distinct.values()].sort(versionOrder)[0] as Json;
        issues.push({
          severity: 'info',
          code: 'duplicate-resource-differs',
          message: `${key} arrived ${distinct.size} times with different content; kept the latest version`,
          source: key,
        });
      }
    }
    // Sorted by key, so one type's entries are contiguous.
    if (list === undefined || (list[0] as Entry).type !== entry.type) {
      list = byType.get(entry.type);
      if (list === undefined) byType.set(entry.type, (list = []));
    }
    list.push(entry);
    index.set(key, entry);
  }
  for (const [url, keys] of fullUrls) {
    const key = typeof keys === 'string' ? keys : [...new Set(keys)].sort(cmpStr)[0];
    const entry = key === undefined ? undefined : index.get(key);
    if (entry && !index.has(url)) index.set(url, entry);
  }
  return { byType, index };
}

/** `{type, id}` of a literal reference (relative, absolute, versioned, or a Bundle fullUrl), if readable. */
export function parseReference(ref: unknown, index: Map<string, Entry>): { type: string; id: string } | undefined {
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
