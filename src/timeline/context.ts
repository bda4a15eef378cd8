/**
 * Per-knowledge lookup tables (built once by `createTimelineBuilder`) and the per-call accumulator.
 */
import type { Knowledge } from '../knowledge';
import type { AgentDefinition } from '../knowledge/exposures';
import { normalizeRangeCode } from '../knowledge/code-range';
import type { FindingCode, FindingCodeRange } from '../knowledge/findings';
import { CodeNormalizer, NameMatcher } from './codes';
import type { RefIndex } from './ingest';
import { isZonelessDateTime, type SiteTime } from './site-time';
import type { DataIssue, ExposureDateKind, Finding, LabValue, NotEvaluableValue } from './types';
import { UnitConverter } from './units';
import type { AnalyteId } from '../vocabulary';

export interface MedicationGroup {
  detail: string;
}

export interface Tables {
  knowledge: Knowledge;
  codes: CodeNormalizer;
  units: UnitConverter;
  analyteByCode: Map<string, AnalyteId>;
  findingsByCode: Map<string, FindingCode[]>;
  /** Canonical system → its finding code ranges, bounds normalised (Condition.code only). */
  findingRanges: Map<string, { from: string; to: string; exclude: string[]; range: FindingCodeRange }[]>;
  positiveValues: Set<string>;
  negativeValues: Set<string>;
  positiveTexts: Set<string>;
  negativeTexts: Set<string>;
  agentsByCode: Map<string, AgentDefinition[]>;
  agentNames: NameMatcher<AgentDefinition>;
  immunoByCode: Map<string, MedicationGroup[]>;
  immunoNames: NameMatcher<MedicationGroup>;
  nonSystemicTokens: Set<string>;
  nonExposureIntents: Set<string>;
}

function push<K, V>(map: Map<K, V[]>, key: K | undefined, value: V): void {
  if (key === undefined) return;
  const list = map.get(key) ?? [];
  if (!list.includes(value)) list.push(value);
  map.set(key, list);
}

export function buildTables(knowledge: Knowledge): Tables {
  const codes = new CodeNormalizer(knowledge.analytes.codeSystemAliases);
  const analyteByCode = new Map<string, AnalyteId>();
  for (const [id, def] of Object.entries(knowledge.analytes.analytes) as [AnalyteId, { codes: { system: string; code: string }[] }][]) {
    for (const c of def.codes) {
      const key = codes.key(c.system, c.code);
      // First definition wins if a site lists one code under two analytes (a configuration error).
      if (key !== undefined && !analyteByCode.has(key)) analyteByCode.set(key, id);
    }
  }
  const findingsByCode = new Map<string, FindingCode[]>();
  for (const f of knowledge.findings.codes) push(findingsByCode, codes.key(f.system, f.code), f);
  const findingRanges: Tables['findingRanges'] = new Map();
  for (const range of knowledge.findings.codeRanges) {
    const system = codes.system(range.system);
    const norm = (c: string) => normalizeRangeCode(system, c);
    const list = findingRanges.get(system) ?? [];
    list.push({ from: norm(range.from), to: norm(range.to), exclude: (range.exclude ?? []).map(norm), range });
    findingRanges.set(system, list);
  }
  const keySet = (list: { system: string; code: string }[]) =>
    new Set(list.map((c) => codes.key(c.system, c.code)).filter((k): k is string => k !== undefined));

  const agentsByCode = new Map<string, AgentDefinition[]>();
  const agentNames = new NameMatcher<AgentDefinition>();
  for (const a of knowledge.exposures.agents) {
    for (const c of a.codes) push(agentsByCode, codes.key(c.system, c.code), a);
    for (const n of a.names) agentNames.add(n, a);
  }
  const immunoByCode = new Map<string, MedicationGroup[]>();
  const immunoNames = new NameMatcher<MedicationGroup>();
  for (const g of knowledge.findings.immunosuppressiveMedications) {
    for (const c of g.codes) push(immunoByCode, codes.key(c.system, c.code), g);
    for (const n of g.names) immunoNames.add(n, g);
  }
  return {
    knowledge,
    codes,
    units: new UnitConverter(knowledge.analytes),
    analyteByCode,
    findingsByCode,
    findingRanges,
    positiveValues: keySet(knowledge.findings.positiveValues),
    negativeValues: keySet(knowledge.findings.negativeValues),
    positiveTexts: new Set(knowledge.findings.positiveTexts.map((t) => t.trim().toLowerCase())),
    negativeTexts: new Set(knowledge.findings.negativeTexts.map((t) => t.trim().toLowerCase())),
    agentsByCode,
    agentNames,
    immunoByCode,
    immunoNames,
    nonSystemicTokens: new Set(knowledge.findings.nonSystemicNameTokens.map((t) => t.toLowerCase())),
    nonExposureIntents: new Set(knowledge.exposures.nonExposureRequestIntents),
  };
}

/** A dated dose, for dose-increase detection. */
export interface DosePoint {
  time: string;
  amount: number;
  unit: string;
  perDay?: number;
}

/** What a resource's dates document (strongest first); see `mergeExposures` for how they rank. */
export type { ExposureDateKind } from './types';

/** A documented date (a dose, a statement) or period (start … end) of a resource. */
export interface DateSpan {
  at: string;
  until?: string;
}

/** One resource's evidence of exposure to one agent, merged per agent at the end. */
export interface ExposureEvidence {
  agent: AgentDefinition;
  matchedBy: 'code' | 'name';
  matched: string;
  source: string;
  /** Every date of `spans` (starts and ends). */
  dates: string[];
  spans: DateSpan[];
  dateKind: ExposureDateKind;
  ongoing?: boolean;
  doses: DosePoint[];
}

export interface Acc {
  t: Tables;
  /** The site's clock: how dates and zone-less date-times are placed (./site-time). */
  site: SiteTime;
  /** Date-times read without a zone (reported once per build as `time-without-zone`). */
  zoneless: number;
  /** Read every choice field through FHIRPath (the reference path; differential tests only). */
  fhirpathOnly?: boolean;
  index: RefIndex;
  issues: DataIssue[];
  labs: LabValue[];
  notEvaluable: NotEvaluableValue[];
  findings: Finding[];
  exposures: ExposureEvidence[];
}

/**
 * A FHIR date or date-time as the timeline keeps it, with its instant in the site zone. A date-time without a
 * zone is rewritten once with the site's offset (so every later reader sees the same instant) and counted.
 */
export function readTime(acc: Acc, value: string | undefined): { time: string; ms: number } | undefined {
  if (value === undefined) return undefined;
  const ms = acc.site.ms(value);
  if (ms === undefined) return undefined;
  if (!isZonelessDateTime(value)) return { time: value, ms };
  acc.zoneless++;
  return { time: acc.site.withZone(value), ms };
}

/** The finding code ranges a coding falls in (see `findingCodeRangeSchema`). */
export function rangesOf(t: Tables, system: string, code: string): FindingCodeRange[] {
  const canonical = t.codes.system(system);
  const list = t.findingRanges.get(canonical);
  if (!list) return [];
  const c = normalizeRangeCode(canonical, code);
  return list
    .filter((r) => c.slice(0, r.from.length) >= r.from && c.slice(0, r.to.length) <= r.to && !r.exclude.some((x) => c.startsWith(x)))
    .map((r) => r.range);
}

/** The accumulator, plus the epoch ms of each `labs[i].time` (parsed once when the value was read). */
export interface LabAcc extends Acc {
  labMs: number[];
  /** The context patient's birth date (epoch ms), for age-banded fallback ranges. */
  birthMs?: number | undefined;
  /** An amended or corrected Observation was read (./supersede.ts then runs). */
  correctionSeen?: boolean;
}
