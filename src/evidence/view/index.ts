/**
 * The evidence view's functional core: patient data in, view model out. The same engine as the hook
 * (src/timeline, src/criteria) with the service's effective knowledge, as of the card's asOf; no DOM, no I/O.
 * Runs in the browser (the page) and in Node (tests).
 */
import { assess, type Assessment } from '../../criteria';
import type { Knowledge } from '../../knowledge';
import { assessmentDigest } from '../../render/app-context';
import { chooseCard } from '../../render/episode-choice';
import { fill } from '../../render/format';
import { createTimelineBuilder, type PatientTimeline, type TimelineBuilder } from '../../timeline';
import { trendCharts } from './charts';
import { alternativesText, criteriaTables, thresholdCitations } from './criteria';
import { doseTimes, exposureView } from './exposure';
import { dataIssuesOf, headerOf, missingOf, provenanceOf, sourcesOf } from './sections';
import type { DataSource, EvidenceView, PageConfig } from './types';

export type * from './types';

const builders = new WeakMap<Knowledge, TimelineBuilder>();

/** Timeline and assessment exactly as the hook's pipeline computes them (src/pipeline/evaluate.ts). */
function assessSource(config: PageConfig, source: DataSource): { timeline: PatientTimeline; assessment: Assessment } {
  let build = builders.get(config.knowledge);
  if (!build) builders.set(config.knowledge, (build = createTimelineBuilder(config.knowledge)));
  const timeline = build(source.resources, { patientId: source.patientId, timeZone: config.timeZone });
  if (source.issues.length) timeline.issues = [...source.issues, ...timeline.issues];
  return { timeline, assessment: assess(timeline, source.asOf, config.knowledge, { timeZone: config.timeZone }) };
}

function patientLine(timeline: PatientTimeline, source: DataSource, config: PageConfig): string {
  const h = config.evidence.header;
  const born = timeline.patient.birthDate ? `, ${fill(h.born, { birthDate: timeline.patient.birthDate })}` : '';
  return `${h.patient} ${source.patientId}${timeline.patient.gender ? `, ${timeline.patient.gender}` : ''}${born}`;
}

/**
 * The page shows exactly what the card showed: the episode the renderer chose (src/render/episode-choice.ts), with
 * its own criteria, exposure and digest; the whole assessment only when there is no card.
 */
function buildView(config: PageConfig, source: DataSource, timeline: PatientTimeline, assessment: Assessment): EvidenceView {
  const w = config.evidence;
  const chosen = chooseCard(assessment);
  const a = chosen?.view ?? assessment;
  const header = headerOf(a, chosen?.d, config.cards, w);
  return {
    title: w.title,
    disclaimer: w.disclaimer,
    mode: fill(w.modes[source.mode], { server: source.server, file: source.server }),
    patient: patientLine(timeline, source, config),
    ...header,
    provenance: provenanceOf(a, config, source, header.indicator),
    exposure: exposureView(a, timeline, config.cards, w, doseTimes(source.resources)),
    tables: criteriaTables(a, w, config.cards.wording),
    alternatives: alternativesText(a, w),
    charts: trendCharts(a, timeline, config.knowledge, w),
    missing: missingOf(a, config.cards, w),
    dataIssues: dataIssuesOf(a, config.cards, w),
    sources: sourcesOf(a, config.cards),
    citations: thresholdCitations(a),
    digest: assessmentDigest(a),
    sections: w.sections,
    chartHint: w.charts.keyboardHint,
  };
}

/** Data in, view out: what the page does once it has the patient's resources. */
export function evidenceView(config: PageConfig, source: DataSource): { view: EvidenceView; assessment: Assessment; timeline: PatientTimeline } {
  const { timeline, assessment } = assessSource(config, source);
  return { view: buildView(config, source, timeline, assessment), assessment, timeline };
}
