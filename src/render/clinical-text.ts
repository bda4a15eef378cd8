/**
 * Words a clinician can use in place of machine data: a code as "RxNorm 1547545" (never the code system's URL),
 * an agent with its class unless the class says the same ("lamotrigine", not "lamotrigine (lamotrigine)"), a
 * documented alternative explanation without its resource id, and EHR text with resource ids taken out.
 */
import type { AlternativeExplanation } from '../criteria/types';
import type { CardContent } from './content';
import { fill, formatTime } from './format';
import { escapeMarkdown as esc } from './markdown';
import { cutAtWord } from './brief-budget';

/** "axi-cel (CAR T-cell therapy)"; the name alone when the class label is the same drug (plain text). */
export function agentWithClass(agent: string, classLabel: string): string {
  const a = agent.toLowerCase();
  const c = classLabel.toLowerCase();
  return a === c || a.includes(c) || c.includes(a) ? agent : `${agent} (${classLabel})`;
}

/** "Documented infection: Sepsis due to E. coli (ICD-10-CM A41.51), 2026-03-13" (escaped Markdown). */
export function alternativeText(x: AlternativeExplanation, content: CardContent, maxWhat = 120): string {
  const w = content.wording.alternatives;
  const what = x.text ?? x.code?.display ?? (x.detail ? (w.detailLabels[x.detail] ?? x.detail) : w.unnamed[x.kind]);
  const coded = x.code ? fill(w.coded, { system: esc(w.codeSystems[x.code.system] ?? w.otherCodeSystem, 80), code: esc(x.code.code, 40) }) : '';
  return fill(x.kind === 'infection' ? w.infection : w.diseaseProgression, {
    what: esc(cutAtWord(what, maxWhat)),
    coded,
    date: x.time ? esc(formatTime(x.time)) : w.undated,
  });
}

/** FHIR resource ids ("Observation/abc-1", "Condition/7") inside EHR-derived text, e.g. a data issue message. */
const RESOURCE_ID = /\b(?:[A-Z][a-z]+){1,5}\/[A-Za-z0-9\-.]{1,64}(?:\/_history\/[A-Za-z0-9\-.]{1,64})?/g;

/** Text with every FHIR resource id replaced by the content's word for "a record". */
export function withoutResourceIds(s: string, content: CardContent): string {
  return s.replace(RESOURCE_ID, content.wording.alternatives.record);
}
