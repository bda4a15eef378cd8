/**
 * Wording and display choices of the evidence view: `cards/evidence.json`, beside the card content and
 * overridden the same way (a site's copy of `cards/`, `CARDS_DIR`). Validated at start-up; an invalid file
 * throws `CardContentError` naming the file and the key, as the other content files do.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { CardContentError, defaultCardsDir } from '../render/content';
import { ANALYTE_IDS, issuePath } from '../vocabulary';
import { RANGE_SOURCES, type RangeSource } from '../criteria/types';
import type shippedEvidence from '../../cards/evidence.json';

const EVIDENCE_CONTENT_FILE = 'evidence.json';

const text = z.string().min(1);
/** A strict object of required strings. */
const texts = <K extends string>(...keys: K[]) => z.object(Object.fromEntries(keys.map((k) => [k, text])) as Record<K, typeof text>).strict();
/** A key whose wording moved to the card wording: a site copy that still sets it is told where it went. */
const moved = z.never({ error: 'data-issue sentences are card wording now: cards/wording.json `dataIssues` (query-failed, fetch-truncated)' }).optional();

const evidenceContentSchema = z
  .object({
    $comment: z.string().optional(),
    title: text,
    disclaimer: text,
    /** Label of the card's `smart` link that opens the view. */
    linkLabel: text.refine((s) => s.length <= 80, 'keep the link label short (≤ 80 characters)'),
    /** Page states and why the page cannot start ({iss}: the launch's FHIR server as given). */
    status: texts('loading', 'authorizing', 'fetching', 'assessing', 'failed', 'notAllowed', 'noLaunch', 'unreadableFile', 'noPatient', 'issNotUrl'),
    header: z
      .object({
        patient: text,
        born: text,
        noCard: text,
        noCardReasons: texts('none', 'outside-window', 'below-rules'),
        indicator: texts('info', 'warning', 'critical'),
      })
      .strict(),
    modes: texts('ehr', 'standalone', 'offline'),
    provenance: z
      .object({
        heading: text,
        assessmentVersion: text,
        knowledgeVersion: text,
        knowledgeOverrides: text,
        contentVersion: text,
        asOf: text,
        asOfFrom: texts('card', 'query', 'now', 'file'),
        digest: text,
        cardMatches: text,
        cardDiffers: text,
        versionDiffers: text,
        noCardContext: text,
      })
      .strict(),
    sections: texts('exposure', 'criteria', 'trends', 'missing', 'dataIssues', 'sources'),
    exposure: z
      .object({
        ...texts('day0', 'dose', 'lastDose', 'doseIncrease', 'window', 'crs', 'crsGrade', 'asOf', 'primary', 'other').shape,
        ...texts('dayText', 'noDate', 'none', 'inWindow', 'outOfWindow', 'chartLabel').shape,
        /** Display names of code systems (a code matched as `system|code` is shown "RxNorm 1547545"). */
        codeSystems: z.record(z.string(), text),
        matchedBy: texts('code', 'name'),
        columns: texts('agent', 'class', 'day0', 'last', 'window', 'matched'),
      })
      .strict(),
    table: texts('criterion', 'state', 'value', 'threshold', 'time', 'range', 'thresholdSource', 'points', 'mayBePresent'),
    states: texts('met', 'not-met', 'unknown'),
    /** The source of a reference range by RangeUsed.source; {population}: a fallback range's age band. */
    rangeSources: texts(...RANGE_SOURCES),
    /** The {population} of a fallback range that names none. */
    fallbackPopulation: text,
    /** {value} (and {time}) next to a criterion's value; reportedAs: the lab's own value when it was converted. */
    values: texts('reported', 'reportedAs', 'baseline', 'earlierValue'),
    frameworks: z
      .object({
        ...texts('astct', 'crsAfter', 'crsConcurrent', 'hlh2004', 'hscore', 'hscoreUpTo', 'ohi', 'alternatives', 'infection', 'progression').shape,
        ohiStates: texts('met', 'not-met', 'unknown'),
      })
      .strict(),
    charts: z
      .object({
        $comment: z.string().optional(),
        /** [design] Longest span the trend charts show, ending at asOf. */
        windowMaxDays: z.number().int().min(3).max(365),
        items: z
          .array(
            z
              .object({ id: z.string().regex(/^[a-z0-9-]+$/), title: text, analytes: z.array(z.enum(ANALYTE_IDS)).min(1).max(4), scale: z.enum(['linear', 'log']).optional() })
              .strict(),
          )
          .min(1),
        ...texts('day0', 'asOf', 'baseline', 'uln', 'lln', 'lookback', 'noValues', 'summary', 'keyboardHint', 'point', 'reported', 'valuesTable').shape,
        /** Names of the frameworks a threshold line belongs to. */
        frameworks: texts('iecHs', 'hlh2004', 'ohi'),
        columns: texts('time', 'series', 'value', 'reported', 'status', 'source'),
      })
      .strict()
      .superRefine((c, ctx) => {
        const seen = new Set<string>();
        c.items.forEach((item, i) => {
          if (seen.has(item.id)) ctx.addIssue({ code: 'custom', path: ['items', i, 'id'], message: `duplicate chart id "${item.id}"` });
          seen.add(item.id);
        });
      }),
    missing: texts('noResult', 'stale', 'staleItem', 'uncovered', 'optional', 'none'),
    /** {code}, {text} (the card's sentence, cards/wording.json `dataIssues`) and {source}. */
    dataIssues: z
      .object({
        none: text,
        severity: texts('info', 'warning'),
        line: text,
        lineWithSource: text,
        queryFailed: moved,
        queryTruncated: moved,
      })
      .strict(),
    sources: texts('thresholds', 'literature'),
  })
  .strict();

export type EvidenceContent = z.infer<typeof evidenceContentSchema>;

/** `npm run typecheck` fails when the shipped cards/evidence.json lacks the text of a range source code. */
type Covers<T extends U, U> = T;
type _ShippedRangeSources = Covers<(typeof shippedEvidence)['rangeSources'], Record<RangeSource, string>>;

/** Parses evidence content; the error names the file and every bad key. */
export function parseEvidenceContent(value: unknown, file = EVIDENCE_CONTENT_FILE): EvidenceContent {
  const r = evidenceContentSchema.safeParse(value);
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => `${path.basename(file)}: ${issuePath(i.path) || '(root)'}: ${i.message}`);
  throw new CardContentError(`invalid card content in ${path.dirname(file)}:\n  ${lines.join('\n  ')}`);
}

/** Loads `evidence.json` from the card content folder (default: the shipped `cards/`). */
export function loadEvidenceContent(cardsDir?: string): EvidenceContent {
  const file = path.join(path.resolve(cardsDir ?? defaultCardsDir()), EVIDENCE_CONTENT_FILE);
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CardContentError(`card content: cannot read ${file}: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (e) {
    throw new CardContentError(`card content: ${file} is not valid JSON: ${(e as Error).message}`);
  }
  return parseEvidenceContent(json, file);
}
