/**
 * The clinical pipeline behind the hook, as pure steps:
 *   resolved FHIR data → PatientTimeline (src/timeline) → Assessment (src/criteria) → cards (src/render).
 * Everything here is deterministic given (data, now, knowledge, content); HTTP, fetching and the
 * clock stay in the shell (src/http).
 */
import { randomUUID } from 'node:crypto';
import type { Card } from '../hooks/response';
import type { Knowledge } from '../knowledge';
import { createTimelineBuilder } from '../timeline';
import { assess, type Assessment } from '../criteria';
import { renderCards, type CardDetail } from '../render/cards';
import type { CardContent } from '../render/content';
import type { DataIssue } from '../timeline/types';

export interface EvaluationContext {
  patientId: string;
  userId: string;
  encounterId?: string;
  /** "Now" for the criteria windows; the shell passes the request time. */
  now: Date;
}

export interface Evaluation {
  cards: Card[];
  /** What the cards were rendered from (absent only for evaluators that do not assess, e.g. test spies). */
  assessment?: Assessment;
  /** Cards evaluated but withheld by silent mode: logged (marked silenced), never returned. */
  silenced?: Card[];
}

export interface PipelineDeps {
  knowledge: Knowledge;
  content: CardContent;
  /** The site's time zone (IANA name; default UTC): calendar days and zone-less times. */
  timeZone?: string;
  /** Card and suggestion ids; injectable so tests can be deterministic. */
  ids?: () => string;
  /** Cards link to the evidence view (a SMART app) when set. */
  evidenceLink?: { url: string; label: string };
  /** The card's detail: `brief` (default) or `full` (every criteria table). */
  detail?: CardDetail;
}

/** What the shell gathered for one patient (src/fhir/resolve.ts's `ResolvedData` is one). */
export interface PatientData {
  /** FHIR resources and Bundles as received; the timeline builder flattens them. */
  resources: readonly unknown[];
  /** Data the EHR could not give (failed prefetch, truncated paging): shown on the card. */
  issues: readonly DataIssue[];
}

export function createEvaluator(deps: PipelineDeps): (data: PatientData, ctx: EvaluationContext) => Evaluation {
  // Built once: compiles FHIRPath and indexes the code lists of this knowledge base.
  const buildTimeline = createTimelineBuilder(deps.knowledge);
  const ids = deps.ids ?? randomUUID;
  return (data, ctx) => {
    const timeline = buildTimeline(data.resources, { patientId: ctx.patientId, ...(deps.timeZone ? { timeZone: deps.timeZone } : {}) });
    // Data the EHR could not give us (failed prefetch, truncated paging) must reach the card.
    if (data.issues.length) timeline.issues = [...data.issues, ...timeline.issues];
    const assessment = assess(timeline, ctx.now.toISOString(), deps.knowledge, deps.timeZone ? { timeZone: deps.timeZone } : {});
    const cards = renderCards(
      assessment,
      {
        patientId: ctx.patientId,
        ...(ctx.encounterId ? { encounterId: ctx.encounterId } : {}),
        now: ctx.now,
        ...(deps.evidenceLink ? { evidenceLink: deps.evidenceLink } : {}),
        ...(deps.detail ? { detail: deps.detail } : {}),
      },
      deps.content,
      ids,
    );
    return { cards, assessment };
  };
}
