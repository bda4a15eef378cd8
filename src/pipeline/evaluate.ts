/**
 * The clinical pipeline behind the hook, as pure steps:
 *   resolved FHIR data → PatientTimeline (src/timeline) → Assessment (src/criteria) → cards (src/render).
 * Everything here is deterministic given (data, now, knowledge, content); HTTP, fetching and the
 * clock stay in the shell (src/http).
 */
import type { Card } from '../hooks/response';
import type { Knowledge } from '../knowledge';
import type { ResolvedData } from '../fhir/resolve';

export interface EvaluationContext {
  patientId: string;
  userId: string;
  encounterId?: string;
  /** "Now" for the criteria windows; the shell passes the request time. */
  now: Date;
}

export interface Evaluation {
  cards: Card[];
  /** Cards evaluated but withheld by silent mode: logged (marked silenced), never returned. */
  silenced?: Card[];
}

export interface PipelineDeps {
  knowledge: Knowledge;
}

export type Evaluator = (data: ResolvedData, ctx: EvaluationContext) => Evaluation;

export function createEvaluator(_deps: PipelineDeps): Evaluator {
  // Seam: timeline + criteria + cards plug in here (issues 3–5). Until then: no findings, no cards.
  return () => ({ cards: [] });
}
