/**
 * Criteria engine: `assess(timeline, asOf, knowledge) → Assessment`.
 *
 * Pure and deterministic: no clock (asOf is an argument), no I/O, no FHIR; never reads a value dated after
 * asOf. Every threshold comes from `knowledge.criteria` (src/knowledge/criteria.ts, which cites
 * ../shared/knowledge/clinical-criteria.md); exposure windows from `knowledge.exposures.windows`.
 * The assessment records the knowledge version and every knowledge path that differs from the shipped
 * defaults, so a card can say when site-configured values were used.
 */
import { defaultKnowledge, type Knowledge } from '../knowledge';
import type { AnalyteId, DataIssue, PatientTimeline } from '../timeline/types';
import { ANALYTE_IDS } from '../timeline/types';
import { toEpochMs } from '../timeline/time';
import { marrowExamination, unusableResults } from './chart';
import { assessExposure } from './exposure';
import { findingsOf } from './findings';
import { assessHlh2004 } from './hlh2004';
import { assessHScore } from './hscore';
import { assessIecHs } from './iec-hs';
import { assessOhi } from './ohi';
import { countAfterAsOf, labLookbackStart, lastIn, temperatureLookbackStart, type Ctx } from './pick';
import { assessTrends } from './trends';
import { ASSESSMENT_VERSION, type AlternativeExplanation, type Assessment } from './types';

export * from './types';

/** Analytes the criteria read; `missing` lists those without a value in their lookback window. */
export const USED_ANALYTES: readonly AnalyteId[] = [
  'ferritin',
  'alt',
  'ast',
  'platelets',
  'hemoglobin',
  'anc',
  'wbc',
  'fibrinogen',
  'triglycerides',
  'ldh',
  'bilirubin-direct',
  'scd25',
  'crp',
  'il6',
  'pt',
  'inr',
  'aptt',
  'creatinine',
  'temperature',
];

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Dotted paths where `actual` differs from `defaults` (arrays compare as a whole). `version` is excluded. */
export function overriddenPaths(actual: unknown, defaults: unknown, prefix = ''): string[] {
  if (isPlainObject(actual) && isPlainObject(defaults)) {
    const keys = [...new Set([...Object.keys(actual), ...Object.keys(defaults)])].sort();
    return keys.flatMap((key) => {
      const path = prefix ? `${prefix}.${key}` : key;
      if (!prefix && key === 'version') return [];
      return overriddenPaths(actual[key], defaults[key], path);
    });
  }
  return JSON.stringify(actual) === JSON.stringify(defaults) ? [] : [prefix];
}

/**
 * overriddenPaths(knowledge, defaultKnowledge), computed once per knowledge object (it serialised the whole
 * knowledge base on every assessment). Knowledge is loaded once and treated as immutable.
 */
const overridesCache = new WeakMap<Knowledge, readonly string[]>();
function knowledgeOverrides(knowledge: Knowledge): string[] {
  let paths = overridesCache.get(knowledge);
  if (!paths) overridesCache.set(knowledge, (paths = overriddenPaths(knowledge, defaultKnowledge)));
  return [...paths];
}

function alternatives(ctx: Ctx): AlternativeExplanation[] {
  const from = labLookbackStart(ctx);
  const out: AlternativeExplanation[] = [];
  for (const kind of ['infection', 'disease-progression'] as const) {
    for (const f of findingsOf(ctx, kind, (x) => x.present)) {
      const end = toEpochMs(f.end);
      if (end !== undefined && end < from) continue; // resolved before the lookback window
      const a: AlternativeExplanation = { kind, source: f.source };
      if (f.detail) a.detail = f.detail;
      if (f.time) a.time = f.time;
      out.push(a);
    }
  }
  return out;
}

export function assess(timeline: PatientTimeline, asOf: string, knowledge: Knowledge): Assessment {
  const asOfMs = toEpochMs(asOf);
  if (asOfMs === undefined) throw new Error(`assess: asOf is not an ISO date-time: ${JSON.stringify(asOf)}`);
  const ctx: Ctx = { timeline, asOf, asOfMs, k: knowledge.criteria };

  const exposure = assessExposure(timeline.exposures, asOfMs, knowledge);
  const primary = exposure.primary;
  const iecHs = primary && primary.syndrome === 'iec-hs' && primary.day0 ? assessIecHs(ctx, primary.day0) : undefined;

  const lastSeen: Assessment['lastSeen'] = {};
  const missing: AnalyteId[] = [];
  let afterAsOf = 0;
  for (const analyte of ANALYTE_IDS) {
    afterAsOf += countAfterAsOf(ctx, analyte);
    const last = lastIn(ctx, analyte, -Infinity);
    if (last) lastSeen[analyte] = last.time;
  }
  for (const analyte of USED_ANALYTES) {
    const from = analyte === 'temperature' ? temperatureLookbackStart(ctx) : labLookbackStart(ctx);
    if (!lastIn(ctx, analyte, from)) missing.push(analyte);
  }
  const dataIssues: DataIssue[] = [...timeline.issues];
  if (afterAsOf) {
    dataIssues.push({
      severity: 'info',
      code: 'values-after-asof-ignored',
      message: `${afterAsOf} value(s) dated after asOf were not used`,
    });
  }

  const out: Assessment = {
    version: ASSESSMENT_VERSION,
    asOf,
    knowledge: { version: knowledge.version, overrides: knowledgeOverrides(knowledge) },
    exposure,
    hlh2004: assessHlh2004(ctx),
    hscore: assessHScore(ctx),
    ohi: assessOhi(ctx),
    trends: assessTrends(ctx),
    alternatives: alternatives(ctx),
    lastSeen,
    missing,
    unusable: unusableResults(ctx),
    dataIssues,
  };
  const marrow = marrowExamination(ctx, primary?.day0);
  if (marrow) out.marrowExamination = marrow;
  if (timeline.patient.id) out.patientId = timeline.patient.id;
  if (primary) out.syndrome = primary.syndrome;
  if (iecHs) out.iecHs = iecHs;
  return out;
}
