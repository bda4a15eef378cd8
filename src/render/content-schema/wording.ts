/**
 * The schema of cards/wording.json: every clinician-facing text of the card, the detail and the data issues. Texts
 * keyed by an engine code are strict objects built from that code list, so a site copy missing one is refused at
 * start-up, and the `Covers` checks below make `npm run typecheck` fail when the shipped file lacks one.
 */
import { z } from 'zod';
import {
  ANALYTE_IDS,
  DATA_ISSUE_PARAMS,
  DATA_ISSUE_TERM_PARAMS,
  EXPOSURE_CLASSES,
  type DataIssueCode,
  type DataIssueTerm,
} from '../../vocabulary';
import {
  CRITERION_STATES,
  CRS_RELATIONS,
  HLH2004_STATUSES,
  ITEM_FLAGS,
  ITEM_IDS,
  RANGE_SOURCES,
  REASON_CODES,
  RELATIVE_BASES,
  type CriterionState,
  type CrsRelation,
  type Framework,
  type Hlh2004Status,
  type ItemFlag,
  type RangeSource,
  type ReasonCode,
  type RelativeBasis,
} from '../../criteria/types';
import type shippedWording from '../../../cards/wording.json';
import { briefWordingSchema } from './brief';
import { byCode, comment, templates, text } from './parts';

/** A summary headline: the card's one line (CDS Hooks: < 140 characters) leaves room for the values. */
const headlineSchema = text.refine((s) => s.length <= 110, 'headline template must leave room for values (≤ 110 chars)');

/**
 * `npm run typecheck` fails when the shipped cards/wording.json lacks the text of an engine code: a new ReasonCode
 * or ItemFlag cannot be added without its wording.
 */
type Covers<T extends U, U> = T;
type _ShippedCriteriaWording = Covers<(typeof shippedWording)['criteria'], { reasons: Record<ReasonCode, string>; flags: Record<ItemFlag, string> }>;
type _ShippedItemLabels = Covers<(typeof shippedWording)['items'], { [F in Framework]: Record<(typeof ITEM_IDS)[F][number], string> }>;
type _ShippedDetailWording = Covers<
  (typeof shippedWording)['detail'],
  {
    crsRelation: Record<CrsRelation, string>;
    hlh2004Status: Record<Hlh2004Status, string>;
    ohiState: Record<CriterionState, string>;
    states: Record<CriterionState, string>;
    basis: Record<RelativeBasis, string>;
    rangeSource: Record<RangeSource, string>;
  }
>;
type _ShippedDataIssues = Covers<(typeof shippedWording)['dataIssues'], Record<DataIssueCode, string>>;
type _ShippedDataIssueTerms = Covers<(typeof shippedWording)['dataIssueTerms'], Record<DataIssueTerm, string>>;

export const wordingSchema = z
  .object({
    ...comment,
    /** Criterion labels by framework and item id; `{placeholders}` are filled from the item's knowledge values. */
    items: z.strictObject({
      ...comment,
      iecHs: byCode(ITEM_IDS.iecHs, text),
      hlh2004: byCode(ITEM_IDS.hlh2004, text),
      hscore: byCode(ITEM_IDS.hscore, text),
      ohi: byCode(ITEM_IDS.ohi, text),
    }),
    /** Why an item is unknown (empty: the state alone) and the qualifiers next to a value, by engine code. */
    criteria: z.strictObject({ ...comment, reasons: byCode(REASON_CODES, z.string()), flags: byCode(ITEM_FLAGS, text) }),
    summary: z
      .object({
        iec: z.object({ critical: headlineSchema, warning: headlineSchema, info: headlineSchema, hlhWithoutAstct: headlineSchema }).strict(),
        drug: z.object({ critical: headlineSchema, warning: headlineSchema }).strict(),
        whenWithDay: text,
        whenNoDay: text,
      })
      .strict(),
    summaryValuePriority: z.array(text).min(1),
    summaryMaxValues: z.number().int().min(0).max(5),
    /** Short labels of the values a summary may quote (keys: analyte ids used in summaryValuePriority). */
    summaryValueLabels: z.record(z.string(), text),
    agentShortNames: z.record(z.string(), text),
    /** How the trigger exposure is worded (day numbering, last dose, combinations, co-exposures). */
    exposure: z
      .object({
        ...comment,
        agentJoiner: text,
        summaryWhenDoseIncrease: text,
        summaryWhenPlannedInfusion: text,
        summaryAlsoInWindow: text,
        day: z.object({ infusion: text, plannedInfusion: text, firstDose: text, start: text, doseIncrease: text, noDate: text }).strict(),
        lastDose: text,
        onTherapy: text,
        ago: z.object({ today: text, one: text, other: text }).strict(),
        newCourse: text,
        alsoInWindow: text,
        alsoInWindowItem: text,
        notCounted: text,
        classEffect: text,
      })
      .strict(),
    /** Documented alternative explanations (infection, disease progression): one line each, and a note. */
    alternatives: z
      .object({
        ...comment,
        heading: text,
        infection: text,
        diseaseProgression: text,
        undated: text,
        unnamed: z.object({ infection: text, 'disease-progression': text }).strict(),
        /** Label by finding detail (knowledge `detail`), used when the resource gives no text or display. */
        detailLabels: z.record(z.string(), text),
        note: text,
        /** {system} {code} of a coded alternative ({coded} in infection / diseaseProgression). */
        coded: text,
        /** Code system URI → short name wherever a card shows a code; other systems as otherCodeSystem (never a URL). */
        codeSystems: z.record(z.string(), text),
        otherCodeSystem: text,
        /** What stands for a FHIR resource id inside EHR text shown on a card. */
        record: text,
      })
      .strict(),
    syndromeLabels: z.object({ 'iec-hs': text, 'treatment-related-hlh': text }).strict(),
    exposureClassLabels: z.record(z.enum(EXPOSURE_CLASSES), text),
    detail: z
      .object({
        disclaimer: text,
        intro: z.object({ iec: text, drug: text }).strict(),
        astctStatus: z.object({ suggestive: text, watch: text, 'not-met': text, 'not-evaluable': text }).strict(),
        /** Wording by IecHsResult.statusReason (e.g. `ferritin-criterion-unknown`); falls back to astctStatus. */
        astctStatusReason: z.record(z.string(), text).optional(),
        consider: z.object({ iec: text, drug: text }).strict(),
        crsDivergence: z.object({ present: text, absent: text, unknown: text }).strict(),
        ohiCaveat: text,
        grade: text,
        provenanceDefaults: text,
        provenanceOverrides: text,
        statusNote: text,
        /** Section headings (the renderer adds the Markdown heading mark). */
        headings: z.strictObject({ astct: text, hlh2004: text, hscore: text, ohi: text, trend: text, missing: text, provenance: text }),
        /** A line under the ASTCT heading by IecHsResult.crsRelation (empty: no line). */
        crsRelation: byCode(CRS_RELATIONS, z.string()),
        mayBePresent: text,
        /** {items}: may-be-present features the data cannot assess. */
        notAssessable: text,
        /** The {status} of the HLH-2004 heading, by Hlh2004Result.status. */
        hlh2004Status: byCode(HLH2004_STATUSES, text),
        hlh2004Diagnosis: text,
        ohiState: byCode(CRITERION_STATES, text),
        /** {version}, {asOf}. */
        provenanceContent: text,
        criteriaHeader: z.strictObject({ criterion: text, state: text, value: text, threshold: text, time: text, range: text }),
        /** The state cell of a criterion; an unknown one with its reason as unknownBecause ({reason}). */
        states: byCode(CRITERION_STATES, text),
        unknownBecause: text,
        /** What a relative threshold or a value's multiple refers to (ULN, LLN, baseline, an earlier value). */
        basis: byCode(RELATIVE_BASES, text),
        /** {value} (and {time}) next to a criterion's value. */
        values: z.strictObject({ reported: text, baseline: text, earlierValue: text }),
        /** The source of a reference range by RangeUsed.source; {population}: the fallback's age band. */
        rangeSource: byCode(RANGE_SOURCES, text),
        rangeFromText: text,
        /** {text}: the lab's range text that could not be read. */
        rangeUnreadable: text,
        /** The {population} of a fallback range that names none. */
        fallbackPopulation: text,
        hscore: z.strictObject({
          /** {probability}, {method}. */
          probability: text,
          /** {probability} from the data, {max} if every missing variable were positive. */
          upTo: text,
          /** How the probability is derived from the score (Fardet 2014 table). */
          method: text,
          /** {items}: the unknown variables. */
          missing: text,
          header: z.strictObject({ variable: text, points: text, state: text, value: text, time: text }),
        }),
        /** {hours}, {change}: direction, amount and ratio of a trend's change. */
        trendChange: text,
        /** The missing and stale work-up lines; {items}; staleItem: {label}, {age}, {time}, {hours}. */
        workup: z.strictObject({ noResult: text, stale: text, staleItem: text, uncovered: text, optional: text }),
        /** The {ranges} of dataNotes.pediatricFallback: the knowledge default, or a fallback band without a population. */
        pediatricRanges: z.strictObject({ default: text, fallback: text }),
        /** How an exposure matched by name is shown; {name}: the matched words. */
        matchedByName: text,
        /** The {reason} of an unusable result when the lab gave none. */
        unspecifiedReason: text,
      })
      .strict(),
    /** The card's suggestions: {label} of a work-up item, {due} why it is offered, {analytes}, {age}, {results}. */
    suggestions: z.strictObject({
      order: text,
      orderOptional: text,
      orderAction: text,
      due: z.strictObject({ missing: text, stale: text, repeat: text }),
      forAnalytes: text,
    }),
    /** The {signal} of a summary headline: the HLH-2004 count ({met}, {total}) or the HScore ({score}). */
    summarySignal: z.strictObject({ hlh2004: text, hscore: text }),
    /** Notes on what the data can and cannot show (one line each). */
    dataNotes: z
      .object({
        /** {items}: criteria labels; {ranges}: the fallback bands or default used. */
        pediatricFallback: text,
        /** A result that exists but cannot be used, by kind; {reason}: the lab's reason for no result. */
        unusable: z.object({ 'data-absent': text, 'unit-missing': text, implausible: text }).strict(),
        /** {items}: work-up items with their unusable results. */
        repeatLine: text,
        checkLine: text,
        /** {time}, {found} (marrowFound), {source}. */
        marrowDocumented: text,
        marrowFound: z.object({ present: text, absent: text }).strict(),
        /** {items}: status, date and source of each earlier diagnosis. */
        hlhDiagnosisEarlier: text,
        /** An earlier diagnosis with neither status nor date. */
        undatedDiagnosis: text,
        /** {sources}. */
        hlhDiagnosisRefuted: text,
        /** {sources}: a provisional / differential / unconfirmed HLH diagnosis. */
        hlhDiagnosisUnconfirmed: text,
      })
      .strict(),
    /** Short names of the analytes, wherever a card names a test or a value (never the machine id). */
    analyteLabels: z.record(z.enum(ANALYTE_IDS), text),
    brief: briefWordingSchema,
    lamotrigine: z.object({ suggestionLabel: text, detail: text }).strict(),
    /** What the data layer could not use, by data-issue code; the phrases its parameters may hold, by term. */
    dataIssues: templates(DATA_ISSUE_PARAMS),
    /** The detail's data-issue list: {severity} (by severity), {code} (the stable code, for site IT), {text}; {n} more. */
    dataIssueList: z.object({ ...comment, heading: text, line: text, more: text, severity: z.object({ info: text, warning: text }).strict() }).strict(),
    dataIssueTerms: templates(DATA_ISSUE_TERM_PARAMS),
  })
  .strict()
  .superRefine((w, ctx) => {
    w.summaryValuePriority.forEach((k, i) => {
      if (!w.summaryValueLabels[k]) ctx.addIssue({ code: 'custom', path: ['summaryValuePriority', i], message: `no summaryValueLabels entry for "${k}"` });
    });
  });
