/**
 * MedicationAdministration / MedicationRequest / MedicationStatement / Procedure → trigger-therapy exposure
 * evidence (knowledge.exposures, docs/knowledge.md) and immunosuppressive-medication findings (Fardet 2014).
 *
 * Identification: codes first (configured RxNorm/NCIt/local lists, system + code), over the
 * medicationCodeableConcept, the referenced or contained Medication's code and ingredients, or Procedure.code;
 * only if no code matched, normalised generic/brand names over the same concepts' text and coding displays
 * (and a reference's display). Class-level "unspecified" agents (e.g. "CAR T-cell infusion") count only when
 * no named agent matched.
 *
 * Statuses and intents not documenting an exposure are skipped with an info issue:
 * - all: entered-in-error; MedicationRequest: cancelled, draft, and intents listed in
 *   `knowledge.exposures.nonExposureRequestIntents` (default proposal, plan: a suggestion is not an order);
 *   MedicationAdministration / Procedure: not-done (and Procedure preparation); MedicationStatement: not-taken,
 *   intended.
 * - Procedures whose text names a step around a therapy rather than its administration
 *   (`knowledge.exposures.nonExposureProcedureTokens`: apheres*, collect*, harvest*, manufactur*, prepar*… [design],
 *   stems matched as word prefixes), or whose code is a site's `nonExposureProcedureCodes`, e.g.
 *   "Leukapheresis for CAR T cell manufacturing": `procedure-not-exposure`.
 * Dates, each resource's tagged with what they document (`ExposureDateKind`): MedicationAdministration.effective[x]
 * and Procedure.performed[x] `administered` (CAR T infusion = day 0); MedicationStatement.effective[x]
 * `reported`; MedicationRequest dosageInstruction.timing bounds/events and the start of dispenseRequest.validityPeriod
 * (a dispensing period, not a dosing period) `scheduled`, else authoredOn `ordered` (the order date). How the kinds rank for the first dose / day 0:
 * `mergeExposures` (./finalize).
 * Ongoing: request/statement `active` or `on-hold`, administration/procedure `in-progress` → true;
 * request/statement `completed` / `stopped` → false; otherwise not stated. Merged per agent: true if any
 * source says so (an active order means "on therapy"), else false if any says so, else undefined.
 */
import { type Acc, type DateSpan, type DosePoint, type ExposureDateKind, type ExposureEvidence, type MedicationGroup, readTime, type Tables } from './context';
import { codingsOf, nameTokens, textsOf } from './codes';
import { type FieldNode, readField } from './fhirpath';

import type { AgentDefinition } from '../knowledge/exposures';
import type { Finding } from './types';
import { affine, roundConverted } from './units';
import { arr, cmpStr, cmpTime, isRecord, type Json, num, records, str } from './util';
import { type Coding, dataIssue, UCUM } from '../vocabulary';

type MedType = 'MedicationAdministration' | 'MedicationRequest' | 'MedicationStatement' | 'Procedure';

const SKIP_STATUS: Record<MedType, ReadonlySet<string>> = {
  MedicationAdministration: new Set(['entered-in-error', 'not-done']),
  MedicationRequest: new Set(['entered-in-error', 'cancelled', 'draft']),
  MedicationStatement: new Set(['entered-in-error', 'not-taken', 'intended']),
  Procedure: new Set(['entered-in-error', 'not-done', 'preparation']),
};
const ONGOING_TRUE = new Set(['active', 'on-hold', 'in-progress']);
const ONGOING_FALSE = new Set(['completed', 'stopped']);

/** Days per UCUM time unit of Timing.repeat.periodUnit, to compare daily amounts (mo, a: calendar averages). */
const PERIOD_DAYS: Record<string, number> = { s: 1 / 86400, min: 1 / 1440, h: 1 / 24, d: 1, wk: 7, mo: 30, a: 365 };

/** Concepts describing what was given, and reference displays usable for name matching. */
interface Described {
  concepts: unknown[];
  extraTexts: string[];
  unresolved?: string;
}

function medicationConcepts(med: Json): unknown[] {
  const concepts: unknown[] = [med.code];
  for (const ing of records(med.ingredient)) concepts.push(ing.itemCodeableConcept);
  return concepts;
}

function describe(acc: Acc, res: Json, type: MedType, source: string): Described {
  if (type === 'Procedure') return { concepts: [res.code], extraTexts: [] };
  const fieldName =
    type === 'MedicationAdministration' ? 'administrationMedication' : type === 'MedicationRequest' ? 'requestMedication' : 'statementMedication';
  const out: Described = { concepts: [], extraTexts: [] };
  for (const n of readField(acc, fieldName, res, source)) {
    if (n.type === 'CodeableConcept') out.concepts.push(n.value);
    else if (n.type === 'Reference' && isRecord(n.value)) {
      const ref = str(n.value.reference);
      const display = str(n.value.display);
      if (display !== undefined) out.extraTexts.push(display);
      let med: Json | undefined;
      if (ref !== undefined && ref.startsWith('#')) {
        med = records(res.contained).find((c) => c.resourceType === 'Medication' && str(c.id) === ref.slice(1));
      } else if (ref !== undefined) {
        const direct = acc.index.get(ref);
        const m = /(?:^|\/)Medication\/([A-Za-z0-9\-.]{1,256})(?:\/_history\/[^/]+)?$/.exec(ref);
        const entry = direct ?? (m ? acc.index.get(`Medication/${m[1]}`) : undefined);
        if (entry?.type === 'Medication') med = entry.resource;
      }
      // Unresolved even with a display: when the display names no screened drug, nothing identifies it.
      if (med) out.concepts.push(...medicationConcepts(med));
      else out.unresolved = `${ref ?? '(no reference)'}${display !== undefined ? ` (display "${display.slice(0, 80)}")` : ''}`;
    }
  }
  return out;
}

interface AgentMatch {
  agent: AgentDefinition;
  matchedBy: 'code' | 'name';
  matched: string;
}

/** Keeps the lexically smallest matched text per agent (deterministic whatever the input order). */
function note(map: Map<AgentDefinition, string>, agent: AgentDefinition, matched: string): void {
  const prev = map.get(agent);
  if (prev === undefined || cmpStr(matched, prev) < 0) map.set(agent, matched);
}

/**
 * Code or name is decided per concept (the medication's code, each ingredient): a concept with a listed code is
 * matched by code only; one without, by its names. So a coded nivolumab ingredient never hides a name-only
 * relatlimab ingredient of the same Medication. A reference's display counts only when no concept matched.
 */
function matchAgents(acc: Acc, d: Described): AgentMatch[] {
  const byCode = new Map<AgentDefinition, string>();
  const byName = new Map<AgentDefinition, string>();
  for (const concept of d.concepts) {
    let coded = false;
    for (const c of codingsOf(concept)) {
      const key = acc.t.codes.key(c.system, c.code);
      for (const agent of key === undefined ? [] : (acc.t.agentsByCode.get(key) ?? [])) {
        note(byCode, agent, key as string);
        coded = true;
      }
    }
    if (coded) continue;
    for (const text of textsOf(concept)) for (const { entry, name } of acc.t.agentNames.match(text)) note(byName, entry, name);
  }
  if (!byCode.size && !byName.size) {
    for (const text of d.extraTexts) for (const { entry, name } of acc.t.agentNames.match(text)) note(byName, entry, name);
  }
  const named = [...byName].filter(([a]) => !byCode.has(a));
  const specific = byCode.size > 0 || named.some(([a]) => !a.unspecified);
  return [
    ...[...byCode].map(([agent, matched]): AgentMatch => ({ agent, matchedBy: 'code', matched })),
    ...named.filter(([a]) => !specific || !a.unspecified).map(([agent, matched]): AgentMatch => ({ agent, matchedBy: 'name', matched })),
  ];
}

function validDate(acc: Acc, x: unknown): string | undefined {
  return readTime(acc, str(x))?.time;
}

/** A Period as a span (start … end), or the one date it has. */
function periodSpan(acc: Acc, p: unknown): DateSpan | undefined {
  if (!isRecord(p)) return undefined;
  const start = validDate(acc, p.start);
  const end = validDate(acc, p.end);
  if (start !== undefined && end !== undefined) return { at: start, until: end };
  const one = start ?? end;
  return one === undefined ? undefined : { at: one };
}

function spansFromNodes(acc: Acc, nodes: FieldNode[]): DateSpan[] {
  const out: DateSpan[] = [];
  for (const n of nodes) {
    if (n.type === 'dateTime' || n.type === 'instant') {
      const d = validDate(acc, n.value);
      if (d !== undefined) out.push({ at: d });
    } else if (n.type === 'Period') {
      const span = periodSpan(acc, n.value);
      if (span) out.push(span);
    }
  }
  return out;
}

/** Every date of the spans (a span's start and end), as the first/last-date rules read them. */
function datesOf(spans: DateSpan[]): string[] {
  return spans.flatMap((x) => (x.until === undefined ? [x.at] : [x.at, x.until]));
}

function earliest(dates: string[]): string | undefined {
  return [...dates].sort(cmpTime)[0];
}

/** A dose quantity in mg when UCUM can convert it, else in its own (alias-resolved) unit. */
function doseAmount(acc: Acc, q: unknown): { amount: number; unit: string } | undefined {
  if (!isRecord(q)) return undefined;
  const value = num(q.value);
  const raw = (str(q.system) === UCUM ? str(q.code) : undefined) ?? str(q.unit) ?? str(q.code);
  if (value === undefined || raw === undefined) return undefined;
  const unit = acc.t.units.resolveGeneric(raw) ?? raw;
  const toMg = affine(unit, 'mg');
  if (toMg && toMg.offset === 0) return { amount: roundConverted(value * toMg.factor), unit: 'mg' };
  return { amount: value, unit };
}

function perDay(timing: unknown, amount: number): number | undefined {
  const repeat = isRecord(timing) && isRecord(timing.repeat) ? timing.repeat : undefined;
  if (!repeat) return undefined;
  const period = num(repeat.period);
  const unit = str(repeat.periodUnit);
  const days = unit === undefined ? undefined : PERIOD_DAYS[unit];
  if (period === undefined || period <= 0 || days === undefined) return undefined;
  const frequency = num(repeat.frequency) ?? 1;
  return (amount * frequency) / (period * days);
}

/** Dose points of dosage elements (Dosage datatype: request instructions, statement dosage). */
function dosagePoints(acc: Acc, dosages: Json[], fallbackTime: string | undefined): DosePoint[] {
  const out: DosePoint[] = [];
  for (const d of dosages) {
    const timing = d.timing;
    const bounds = isRecord(timing) && isRecord(timing.repeat) ? timing.repeat.boundsPeriod : undefined;
    const time = (isRecord(bounds) ? validDate(acc, bounds.start) : undefined) ?? fallbackTime;
    if (time === undefined) continue;
    for (const dr of records(d.doseAndRate)) {
      const dose = doseAmount(acc, dr.doseQuantity);
      if (!dose) continue;
      const daily = perDay(timing, dose.amount);
      out.push({ time, ...dose, ...(daily !== undefined ? { perDay: daily } : {}) });
      break;
    }
  }
  return out;
}

function requestSpans(acc: Acc, res: Json): { spans: DateSpan[]; fromAuthoredOnly: boolean } {
  const spans: DateSpan[] = [];
  for (const d of records(res.dosageInstruction)) {
    const timing = d.timing;
    if (!isRecord(timing)) continue;
    for (const e of arr(timing.event)) {
      const v = validDate(acc, e);
      if (v !== undefined) spans.push({ at: v });
    }
    const bounds = periodSpan(acc, isRecord(timing.repeat) ? timing.repeat.boundsPeriod : undefined);
    if (bounds) spans.push(bounds);
  }
  // The validity period is how long the prescription may be dispensed, not a dosing period: at most a start.
  const validity = periodSpan(acc, isRecord(res.dispenseRequest) ? res.dispenseRequest.validityPeriod : undefined);
  if (validity) spans.push({ at: validity.at });
  if (spans.length) return { spans, fromAuthoredOnly: false };
  const authored = validDate(acc, res.authoredOn);
  return { spans: authored !== undefined ? [{ at: authored }] : [], fromAuthoredOnly: authored !== undefined };
}

interface Dated {
  spans: DateSpan[];
  kind: ExposureDateKind;
  doses: DosePoint[];
}

function datesAndDoses(acc: Acc, res: Json, type: MedType, source: string): Dated {
  switch (type) {
    case 'MedicationAdministration': {
      const spans = spansFromNodes(acc, readField(acc, 'administrationEffective', res, source));
      const first = earliest(datesOf(spans));
      const dose = isRecord(res.dosage) ? doseAmount(acc, res.dosage.dose) : undefined;
      return { spans, kind: 'administered', doses: dose && first ? [{ time: first, ...dose }] : [] };
    }
    case 'MedicationStatement': {
      const spans = spansFromNodes(acc, readField(acc, 'statementEffective', res, source));
      return { spans, kind: 'reported', doses: dosagePoints(acc, records(res.dosage), earliest(datesOf(spans))) };
    }
    case 'MedicationRequest': {
      const { spans, fromAuthoredOnly } = requestSpans(acc, res);
      return {
        spans,
        kind: fromAuthoredOnly ? 'ordered' : 'scheduled',
        doses: dosagePoints(acc, records(res.dosageInstruction), earliest(datesOf(spans))),
      };
    }
    case 'Procedure':
      return { spans: spansFromNodes(acc, readField(acc, 'procedurePerformed', res, source)), kind: 'administered', doses: [] };
  }
}

/** One `nonExposureProcedureTokens` entry: its words; the last matches as a prefix when it ended in `*`. */
interface StepPattern {
  words: string[];
  prefix: boolean;
  name: string;
}

interface StepRules {
  patterns: StepPattern[];
  codes: Set<string>;
}

/** Per knowledge tables: the compiled step words and codes (built once). */
const stepRules = new WeakMap<Tables, StepRules>();

function rulesOf(t: Tables): StepRules {
  let rules = stepRules.get(t);
  if (!rules) {
    const patterns: StepPattern[] = [];
    for (const token of t.knowledge.exposures.nonExposureProcedureTokens) {
      const words = nameTokens(token);
      if (words.length) patterns.push({ words, prefix: token.trim().endsWith('*'), name: token.trim() });
    }
    const codes = new Set<string>();
    for (const c of t.knowledge.exposures.nonExposureProcedureCodes) {
      const key = t.codes.key(c.system, c.code);
      if (key !== undefined) codes.add(key);
    }
    rules = { patterns, codes };
    stepRules.set(t, rules);
  }
  return rules;
}

function stepIn(patterns: readonly StepPattern[], text: string): string | undefined {
  const tokens = nameTokens(text);
  for (let i = 0; i < tokens.length; i++) {
    for (const p of patterns) {
      const n = p.words.length;
      if (i + n > tokens.length) continue;
      let ok = true;
      for (let j = 0; ok && j < n; j++) {
        const word = tokens[i + j] as string;
        ok = p.prefix && j === n - 1 ? word.startsWith(p.words[j] as string) : word === p.words[j];
      }
      if (ok) return p.name;
    }
  }
  return undefined;
}

/**
 * Whether a Procedure is a step around a therapy (collection, manufacturing, preparation…), not its
 * administration: a configured step code, or a step word anywhere in its texts. A step word wins over
 * "administration" in the same text ("receipt and preparation of CAR-T cells for administration").
 */
function isNonExposureProcedure(acc: Acc, d: Described): string | undefined {
  const rules = rulesOf(acc.t);
  for (const concept of d.concepts) {
    for (const c of codingsOf(concept)) {
      const key = acc.t.codes.key(c.system, c.code);
      if (key !== undefined && rules.codes.has(key)) return `${c.system}|${c.code}`;
    }
  }
  for (const text of d.concepts.flatMap(textsOf)) {
    const hit = stepIn(rules.patterns, text);
    if (hit) return hit;
  }
  return undefined;
}

function immunosuppression(acc: Acc, d: Described): { group: MedicationGroup; code: Coding }[] {
  const out = new Map<MedicationGroup, Coding>();
  for (const concept of d.concepts) {
    for (const c of codingsOf(concept)) {
      const key = acc.t.codes.key(c.system, c.code);
      for (const g of key === undefined ? [] : (acc.t.immunoByCode.get(key) ?? [])) if (!out.has(g)) out.set(g, c);
    }
  }
  if (out.size) return [...out].map(([group, code]) => ({ group, code }));
  for (const text of [...d.concepts.flatMap(textsOf), ...d.extraTexts]) {
    if (nameTokens(text).some((t) => acc.t.nonSystemicTokens.has(t))) continue;
    for (const { entry, name } of acc.t.immunoNames.match(text)) {
      const code: Coding = { system: 'urn:hlh-sentinel:medication-name', code: name, display: text };
      const prev = out.get(entry);
      if (!prev || cmpStr(name, prev.code) < 0) out.set(entry, code);
    }
  }
  return [...out].map(([group, code]) => ({ group, code }));
}

export function processMedication(acc: Acc, res: Json, type: MedType, source: string): void {
  const status = str(res.status);
  const described = describe(acc, res, type, source);
  const agents = matchAgents(acc, described);
  const immuno = type === 'Procedure' ? [] : immunosuppression(acc, described);
  if (!agents.length && !immuno.length) {
    if (described.unresolved !== undefined && type !== 'Procedure') {
      acc.issues.push(dataIssue('warning', 'medication-unresolved', { reference: described.unresolved }, source));
    }
    return;
  }
  const notExposure = type === 'Procedure' ? isNonExposureProcedure(acc, described) : undefined;
  if (notExposure !== undefined) {
    acc.issues.push(dataIssue('info', 'procedure-not-exposure', { agents: agents.map((m) => m.agent.agent).join(', '), step: notExposure }, source));
    return;
  }
  if (status !== undefined && SKIP_STATUS[type].has(status)) {
    acc.issues.push(
      status === 'entered-in-error' ? dataIssue('info', 'entered-in-error-skipped', { type }, source) : dataIssue('info', 'status-not-exposure', { type, status }, source),
    );
    return;
  }
  const intent = str(res.intent);
  if (type === 'MedicationRequest' && intent !== undefined && acc.t.nonExposureIntents.has(intent)) {
    acc.issues.push(dataIssue('info', 'intent-not-exposure', { intent }, source));
    return;
  }
  const { spans, kind, doses } = datesAndDoses(acc, res, type, source);
  const dates = datesOf(spans);
  // A completed administration or procedure says nothing about the course: only orders/statements end it.
  const endsCourse = type === 'MedicationRequest' || type === 'MedicationStatement';
  const ongoing =
    status === undefined ? undefined : ONGOING_TRUE.has(status) ? true : endsCourse && ONGOING_FALSE.has(status) ? false : undefined;

  for (const m of agents) {
    const evidence: ExposureEvidence = {
      agent: m.agent,
      matchedBy: m.matchedBy,
      matched: m.matched,
      source,
      dates,
      spans,
      dateKind: kind,
      doses,
      ...(ongoing !== undefined ? { ongoing } : {}),
    };
    acc.exposures.push(evidence);
  }
  if (immuno.length) {
    const sorted = [...dates].sort(cmpTime);
    const first = sorted[0];
    const last = sorted[sorted.length - 1];
    for (const { group, code } of immuno) {
      const finding: Finding = {
        kind: 'immunosuppression',
        present: true,
        ...(first !== undefined ? { time: first } : {}),
        ...(last !== undefined && last !== first ? { end: last } : {}),
        ...(status !== undefined ? { clinicalStatus: status } : {}),
        detail: group.detail,
        code,
        source,
      };
      acc.findings.push(finding);
    }
  }
}
