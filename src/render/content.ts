/**
 * Card content: the reviewable wording, sources, override reasons and work-up catalogue that live as JSON under
 * the repository's `cards/` folder (the indicator rules are knowledge: `indicator` in src/knowledge). Code renders;
 * clinicians review the JSON.
 *
 * A site overrides the content by copying `cards/` and pointing `CARDS_DIR` (config `cardsDir`) at its copy.
 * Everything is validated at start-up; invalid content throws `CardContentError` naming the file and key.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import {
  ANALYTE_IDS,
  DATA_ISSUE_PARAMS,
  DATA_ISSUE_TERM_PARAMS,
  EXPOSURE_CLASSES,
  issuePath,
  type DataIssueCode,
  type DataIssueTerm,
} from '../vocabulary';
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
} from '../criteria/types';
import type shippedWording from '../../cards/wording.json';

export class CardContentError extends Error {
  override name = 'CardContentError';
}

const MANIFEST_FILE = 'manifest.json';

const text = z.string().min(1);
const syndrome = z.enum(['iec-hs', 'treatment-related-hlh']);
const comment = { $comment: z.string().optional() };

// ------------------------------------------------------------------------------------------------ files

const manifestSchema = z
  .object({
    ...comment,
    contentVersion: text,
    files: z
      .object({
        wording: text,
        sources: text,
        overrideReasons: text,
        workup: text,
        indicatorRules: z
          .never({ error: 'indicator rules are clinical knowledge now: set them under `indicator` in the knowledge file (docs/knowledge.md)' })
          .optional(),
      })
      .strict(),
  })
  .strict();

const headlineSchema = text.refine((s) => s.length <= 110, 'headline template must leave room for values (≤ 110 chars)');

const indicatorText = z.object({ critical: text, warning: text, info: text }).strict();

/** The brief card detail (./brief.ts): fixed parts, shortened or dropped in a fixed order to fit the budget. */
const briefWordingSchema = z
  .object({
    ...comment,
    disclaimer: text,
    /** {agents}, {dayText}. */
    trigger: text,
    /** {list} of alsoInWindowItem ({agent}, {dayText}). */
    alsoInWindow: text,
    alsoInWindowItem: text,
    indicator: indicatorText,
    /** Why the card has its indicator, by indicator rule; {signal}, {ferritin}, {further}. */
    reason: z
      .object({
        'iec.critical': text,
        'iec.warning': text,
        'iec.info': text,
        'iec.hlhWithoutAstct': text,
        'drug.critical': text,
        'drug.warning': text,
        capped: text,
      })
      .strict(),
    signal: z.object({ hlh2004: text, hscore: text }).strict(),
    criteriaHeading: text,
    moreCriteria: text.refine((s) => s.includes('{n}'), 'must contain {n}'),
    /** The shortest criteria part: {items} the first and moreCriteria. */
    criteriaShort: text,
    preliminary: text,
    counts: text,
    countsShort: text,
    probability: text,
    probabilityUpTo: text,
    alternativesNote: text,
    alternativesMore: text,
    /** The shortest alternatives part: the first {line} and the count {n}. */
    alternativesShort: text,
    missing: text,
    missingMore: text,
    missingCount: text,
    consider: z.object({ iec: text, drug: text }).strict(),
    lamotrigine: text,
    pediatric: text,
    /** The first data problem ({message}), with {n} more, or only their count. */
    dataIssue: text,
    dataIssuesMore: text,
    dataIssuesCount: text,
    evidence: z.object({ linked: text, unlinked: text }).strict(),
    /** Short labels by criterion id for findings without an analyte (splenomegaly, hemophagocytosis, …). */
    criterionLabels: z.record(z.string(), text),
  })
  .strict();

/** One text per code of `codes` (no more, no less): a site's copy is refused when a code lacks its wording. */
function byCode<C extends string>(codes: readonly C[], value: z.ZodString) {
  return z.strictObject(Object.fromEntries(codes.map((c) => [c, value])) as Record<C, z.ZodString>);
}

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

const PLACEHOLDER = /\{([a-zA-Z]+)\}/g;

/**
 * One template per code, using only the `{placeholders}` the code's producer fills (src/vocabulary/data-issues.ts):
 * a site's sentence naming a parameter that never comes would show the raw `{name}` on a card.
 */
function templates<C extends string>(params: Readonly<Record<C, readonly string[]>>) {
  const codes = Object.keys(params) as C[];
  return byCode(codes, text)
    .extend(comment)
    .superRefine((w, ctx) => {
      for (const c of codes) {
        const allowed = params[c];
        for (const [, name] of ((w as Record<string, string>)[c] as string).matchAll(PLACEHOLDER)) {
          if (allowed.includes(name as string)) continue;
          const known = allowed.length ? allowed.map((a) => `{${a}}`).join(', ') : 'none';
          ctx.addIssue({ code: 'custom', path: [c], message: `unknown placeholder {${name}} (${c} fills: ${known})` });
        }
      }
    });
}

const wordingSchema = z
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

const httpUrl = z.url().refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL');

const codingSchema = z.object({ system: text, code: text, display: text.optional() }).strict();

const sourcesSchema = z
  .object({
    ...comment,
    sources: z.record(z.string(), z.object({ label: text, url: httpUrl.optional(), linkLabel: text.optional() }).strict()),
    cardSource: z
      .object({
        'iec-hs': z.object({ label: text, sourceId: text, topic: codingSchema }).strict(),
        'treatment-related-hlh': z.object({ label: text, sourceId: text, topic: codingSchema }).strict(),
      })
      .strict(),
    cite: z.object({ 'iec-hs': z.array(text), 'treatment-related-hlh': z.array(text), lamotrigine: z.array(text) }).strict(),
  })
  .strict()
  .superRefine((s, ctx) => {
    const known = new Set(Object.keys(s.sources));
    for (const [k, v] of Object.entries(s.cardSource)) {
      if (!known.has(v.sourceId)) ctx.addIssue({ code: 'custom', path: ['cardSource', k, 'sourceId'], message: `unknown source "${v.sourceId}"` });
    }
    for (const [k, ids] of Object.entries(s.cite)) {
      ids.forEach((id, i) => {
        if (!known.has(id)) ctx.addIssue({ code: 'custom', path: ['cite', k, i], message: `unknown source "${id}"` });
      });
    }
  });

const overrideReasonsSchema = z
  .object({
    ...comment,
    system: text,
    reasons: z.array(z.object({ code: text, display: text }).strict()).min(1),
  })
  .strict();

const workupItemSchema = z
  .object({
    ...comment,
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case id (a-z, 0-9, -)'),
    label: text,
    /** bundle: in the recommended order; optional: own suggestion; advice: text only. */
    mode: z.enum(['bundle', 'optional', 'advice']),
    /** Analytes whose latest value decides freshness; empty = the screen cannot see whether it was done. */
    covers: z.array(z.enum(ANALYTE_IDS)),
    /** [design] An item is offered when a covered analyte is missing or older than this. */
    freshnessHours: z.number().positive().finite(),
    coding: z.array(codingSchema).min(1).optional(),
    /** `confirmed`: a LOINC code of the knowledge base; `text-only`: ordered by code.text. */
    codingStatus: z.enum(['confirmed', 'text-only', 'site']),
    when: z
      .object({ syndromes: z.array(syndrome).min(1).optional(), exposureClasses: z.array(z.enum(EXPOSURE_CLASSES)).min(1).optional() })
      .strict()
      .optional(),
    /** Advice items: not advised again when the chart documents this (a marrow/tissue examination). */
    documentedBy: z.enum(['marrow-examination']).optional(),
  })
  .strict()
  .superRefine((item, ctx) => {
    if (item.codingStatus === 'text-only' && item.coding) {
      ctx.addIssue({ code: 'custom', path: ['coding'], message: 'text-only items must not carry a coding' });
    }
    if (item.codingStatus !== 'text-only' && !item.coding) {
      ctx.addIssue({ code: 'custom', path: ['coding'], message: `codingStatus "${item.codingStatus}" needs a coding` });
    }
    if (item.mode === 'bundle' && item.covers.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['covers'], message: 'bundle items need at least one covered analyte (freshness must be computable)' });
    }
  });
export type WorkupItem = z.infer<typeof workupItemSchema>;

const workupSchema = z
  .object({
    ...comment,
    serviceRequest: z
      .object({
        status: z.literal('draft'),
        intent: z.enum(['proposal', 'plan']),
        priority: z.enum(['routine', 'urgent', 'asap', 'stat']),
        reasonText: text,
      })
      .strict(),
    recommendedLabel: text.refine((s) => s.includes('{n}'), 'must contain {n}'),
    recommendedLabelOne: text,
    items: z.array(workupItemSchema).min(1),
  })
  .strict()
  .superRefine((w, ctx) => {
    const seen = new Set<string>();
    w.items.forEach((item, i) => {
      if (seen.has(item.id)) ctx.addIssue({ code: 'custom', path: ['items', i, 'id'], message: `duplicate id "${item.id}"` });
      seen.add(item.id);
    });
  });

export interface CardContent {
  contentVersion: string;
  /** Directory the content was loaded from (for logs). */
  dir: string;
  wording: z.infer<typeof wordingSchema>;
  sources: z.infer<typeof sourcesSchema>;
  overrideReasons: z.infer<typeof overrideReasonsSchema>;
  workup: z.infer<typeof workupSchema>;
}

// ------------------------------------------------------------------------------------------------ loading

/** The shipped `cards/` folder: walks up from this module (src/render under ts-jest, dist/src/render when built). */
export function defaultCardsDir(from: string = __dirname): string {
  let dir = from;
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'cards');
    if (existsSync(path.join(candidate, MANIFEST_FILE))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new CardContentError(`card content: no cards/${MANIFEST_FILE} found above ${from}; set CARDS_DIR`);
}

function readJson(file: string): unknown {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CardContentError(`card content: cannot read ${file}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(raw);
  } catch (e) {
    throw new CardContentError(`card content: ${file} is not valid JSON: ${(e as Error).message}`);
  }
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown, file: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => `${path.basename(file)}: ${issuePath(i.path) || '(root)'}: ${i.message}`);
  throw new CardContentError(`invalid card content in ${path.dirname(file)}:\n  ${lines.join('\n  ')}`);
}

/**
 * Loads and validates the card content. `dir` defaults to the shipped `cards/` folder; sites pass their
 * `CARDS_DIR`. Throws `CardContentError` (message names the file and the bad key) on any problem.
 */
export function loadCardContent(dir?: string): CardContent {
  const root = path.resolve(dir ?? defaultCardsDir());
  const manifestFile = path.join(root, MANIFEST_FILE);
  const manifest = parseWith(manifestSchema, readJson(manifestFile), manifestFile);
  const load = <T>(schema: z.ZodType<T>, name: string): T => {
    const file = path.resolve(root, name);
    if (path.relative(root, file).startsWith('..')) {
      throw new CardContentError(`card content: ${MANIFEST_FILE}: files entry "${name}" points outside ${root}`);
    }
    return parseWith(schema, readJson(file), file);
  };
  return {
    contentVersion: manifest.contentVersion,
    dir: root,
    wording: load(wordingSchema, manifest.files.wording),
    sources: load(sourcesSchema, manifest.files.sources),
    overrideReasons: load(overrideReasonsSchema, manifest.files.overrideReasons),
    workup: load(workupSchema, manifest.files.workup),
  };
}
