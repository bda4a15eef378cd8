/**
 * Criteria engine: `assess(timeline, asOf, knowledge) → Assessment`.
 *
 * Pure and deterministic: no clock (asOf is an argument), no I/O, no FHIR; never reads a value dated after
 * asOf. Every threshold, with its status and source, comes from `knowledge.criteria` (docs/knowledge.md);
 * exposure windows from `knowledge.exposures.windows`. The assessment records the knowledge version, the paths
 * the site's knowledge file changed (the loader's list) and the indicator rules in force, so a card can say when
 * site-configured values were used.
 */
import type { Knowledge } from '../knowledge';
import type { DataIssue, PatientTimeline } from '../timeline/types';
import { toEpochMs } from '../timeline/time';
import { siteTime } from '../timeline/site-time';
import { marrowExamination, unusableResults } from './chart';
import { assessEpisodes } from './episode';
import { assessExposure, cmpExposures } from './exposure';
import { findingLookbackStart, findingsOf } from './findings';
import { assessHlh2004 } from './hlh2004';
import { assessHScore } from './hscore';
import { assessOhi } from './ohi';
import { assessTrends } from './trends';
import { ASSESSMENT_VERSION, type AlternativeExplanation, type Assessment } from './types';
import { ANALYTE_IDS, type AnalyteId, dataIssue } from '../vocabulary';
import { labLookbackStart, temperatureLookbackStart, type Ctx } from './context';
import { countAfterAsOf, lastIn } from './lab-window';

export * from './types';

/** Analytes the criteria read; `missing` lists those without a value in their lookback window. */
const USED_ANALYTES: readonly AnalyteId[] = [
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

/** Condition.clinicalStatus codes of an active problem (FHIR R4 condition-clinical: active, recurrence, relapse). */
const ACTIVE_STATUSES = new Set(['active', 'recurrence', 'relapse']);

/**
 * Documented infections and disease progression ([design]): present (refuted and
 * entered-in-error are not), active (clinicalStatus active, recurrence or relapse; a finding without a status
 * counts unless abated by asOf: FHIR requires the status, and showing one never lowers the indicator), and dated
 * within the finding lookback (onset, else recorded date; an undated one is shown as such). Never change the
 * indicator.
 */
function alternatives(ctx: Ctx): AlternativeExplanation[] {
  const from = findingLookbackStart(ctx);
  const out: AlternativeExplanation[] = [];
  for (const kind of ['infection', 'disease-progression'] as const) {
    for (const f of findingsOf(ctx, kind, (x) => x.present)) {
      if (f.clinicalStatus !== undefined ? !ACTIVE_STATUSES.has(f.clinicalStatus) : (ctx.ms(f.end) ?? Infinity) <= ctx.asOfMs) continue;
      const t = ctx.ms(f.time);
      if (t !== undefined && t < from) continue;
      const a: AlternativeExplanation = { kind, source: f.source, code: { ...f.code } };
      if (f.detail) a.detail = f.detail;
      if (f.time) a.time = f.time;
      if (f.text) a.text = f.text;
      out.push(a);
    }
  }
  return out;
}

export interface AssessOptions {
  /** The site's time zone (IANA name; default UTC): calendar days, day numbering and window ends. */
  timeZone?: string;
}

export function assess(timeline: PatientTimeline, asOf: string, knowledge: Knowledge, options: AssessOptions = {}): Assessment {
  const asOfMs = toEpochMs(asOf);
  if (asOfMs === undefined) throw new Error(`assess: asOf is not an ISO date-time: ${JSON.stringify(asOf)}`);
  const site = siteTime(options.timeZone);
  const ctx: Ctx = { timeline, asOf, asOfMs, k: knowledge.criteria, sources: knowledge.sources, site, ms: (v) => site.ms(v), countsFromMs: -Infinity, labIndex: new Map() };

  const exposure = assessExposure(timeline.exposures, asOfMs, knowledge, site);
  const episodes = assessEpisodes(ctx, exposure.all.filter((x) => x.inWindow).sort(cmpExposures(site)));
  const primary = episodes[0];

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
    dataIssues.push(dataIssue('info', 'values-after-asof-ignored', { n: afterAsOf }));
  }

  const out: Assessment = {
    version: ASSESSMENT_VERSION,
    asOf,
    knowledge: { version: knowledge.version, overrides: [...knowledge.overrides], indicator: knowledge.indicator },
    exposure,
    episodes,
    hlh2004: primary?.hlh2004 ?? assessHlh2004(ctx),
    hscore: primary?.hscore ?? assessHScore(ctx),
    ohi: primary?.ohi ?? assessOhi(ctx),
    trends: assessTrends(ctx),
    alternatives: alternatives(ctx),
    lastSeen,
    missing,
    unusable: unusableResults(ctx),
    dataIssues,
  };
  const marrow = marrowExamination(ctx, primary?.exposure.day0);
  if (marrow) out.marrowExamination = marrow;
  if (timeline.patient.id) out.patientId = timeline.patient.id;
  if (options.timeZone) out.timeZone = site.zone;
  if (primary) out.syndrome = primary.syndrome;
  if (primary?.iecHs) out.iecHs = primary.iecHs;
  return out;
}
