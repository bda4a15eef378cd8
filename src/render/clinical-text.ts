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

/** "RxNorm 1547545" from a code system URI and a code; a system the content does not name is a local code. */
function codeText(system: string, code: string, content: CardContent): string {
  const w = content.wording.alternatives;
  return `${w.codeSystems[system] ?? w.otherCodeSystem} ${code}`;
}

/** A `system|code` token (how exposures record the code that matched) as codeText; anything else as is. */
export function matchedCodeText(matched: string, content: CardContent): string {
  const bar = matched.lastIndexOf('|');
  return bar > 0 ? codeText(matched.slice(0, bar), matched.slice(bar + 1), content) : matched;
}

/** "axi-cel (CAR T-cell therapy)"; the name alone when the class label is the same drug (plain text). */
export function agentWithClass(agent: string, classLabel: string): string {
  return `${agent}${classInParens(agent, classLabel)}`;
}

/** " (CAR T-cell therapy)", or nothing when the class label names the same drug as the agent. */
export function classInParens(agent: string, classLabel: string): string {
  const a = agent.toLowerCase();
  const c = classLabel.toLowerCase();
  return a === c || a.includes(c) || c.includes(a) ? '' : ` (${classLabel})`;
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

/**
 * FHIR resource ids ("Observation/abc-1", "Condition/7", "https://other.example.org/fhir/Medication/x") inside
 * EHR-derived text, e.g. a data issue message.
 */
const RESOURCE_TYPES =
  'Patient|Group|Device|Location|Practitioner|PractitionerRole|RelatedPerson|Organization|Encounter|Observation|Condition|Procedure|DiagnosticReport|Specimen|Medication|MedicationRequest|MedicationAdministration|MedicationStatement|MedicationDispense|ServiceRequest|AllergyIntolerance|Immunization|DocumentReference|Bundle|OperationOutcome';
const RESOURCE_ID = new RegExp(`(?:\\bhttps?://[^\\s/]+(?:/[^\\s/]+)*?/)?\\b(?:${RESOURCE_TYPES})/[A-Za-z0-9\\-.]{1,64}(?:/_history/[A-Za-z0-9\\-.]{1,64})?`, 'g');

/** Text with every FHIR resource id replaced by the content's word for "a record". */
export function withoutResourceIds(s: string, content: CardContent): string {
  return s.replace(RESOURCE_ID, content.wording.alternatives.record);
}
