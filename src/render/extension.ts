/**
 * `card.extension["org.hlh-sentinel.assessment"]`: the machine-readable assessment behind a card.
 *
 * A versioned JSON contract for integrators and analytics (semver in `version`):
 * - patch: wording of docs only; minor: new optional fields; major: anything removed, renamed or retyped.
 * Consumers must ignore unknown fields. It is deliberately compact: no timelines, no FHIR resources, only
 * states, counts and the values that decided each item.
 *
 * Fields (v1):
 * - `version` — this contract's version (EXTENSION_VERSION), `assessmentVersion` — the engine's Assessment shape.
 * - `asOf` — the instant the assessment was computed for (ISO 8601); `knowledgeVersion`, `knowledgeOverrides[]`
 *   (dotted knowledge paths a site changed), `contentVersion` (cards/ content).
 * - `indicator` and `rule` — the card's indicator and the rule that produced it (e.g. `iec.critical`).
 * - `syndrome` — `iec-hs` | `treatment-related-hlh`.
 * - `exposure` — `{class, agent, start?, day0?, daysSince?, matchedBy: code|name}`; since 1.1: `day0Basis?`
 *   (infusion | first-dose | dose-increase), `lastDose?`, `daysSinceLastDose?`, `course?` (2 or more: a new course
 *   after a gap), `countsFrom?` (values before it were not counted), and `agents[]`: every trigger in window
 *   `{agent, class, role: primary | combination | also-in-window, day0?, daysSince?, lastDose?, matchedBy}`, the
 *   card's own first.
 * - `criteria['astct-iec-hs']` — `{status: suggestive|watch|not-met|not-evaluable, features[{id, state}]}`
 *   (present for IEC exposures only).
 * - `criteria['hlh-2004']` — `{met, unknown, total: 8, items[{id, state, value?, unit?, comparator?, time?}]}`
 *   with ids fever, splenomegaly, cytopenias, triglycerides-fibrinogen, hemophagocytosis, nk-activity, ferritin, scd25.
 * - `criteria.hscore` — `{score, maxPossible, probability (percent, interpolated per Fardet 2014 table),
 *   probabilityDisplay, missing[]}`.
 * - `criteria.ohi` — `{state}`.
 * - `missingWorkup[]` — `{id, reason: missing|stale|repeat, lastSeen?}` for every work-up item offered (`repeat`,
 *   since 1.1.0: the latest result came back unusable, e.g. specimen clotted).
 * - `alternatives[]` (1.1, omitted when none) — documented infections / disease progression shown on the card:
 *   `{kind: infection | disease-progression, system?, code?, time?}`.
 * Item states are `met` | `not-met` | `unknown` (unknown = no usable data, never "normal").
 */
import { z } from 'zod';
import { HLH2004_ITEM_IDS } from '../criteria/types';
import { EXPOSURE_CLASSES } from '../vocabulary';

export const EXTENSION_KEY = 'org.hlh-sentinel.assessment';
export const EXTENSION_VERSION = '1.1.0';

const state = z.enum(['met', 'not-met', 'unknown']);
const iso = z.string().min(1);

export const assessmentExtensionSchema = z
  .object({
    version: z.string().regex(/^1\.\d+\.\d+$/),
    assessmentVersion: z.string().min(1),
    asOf: iso,
    knowledgeVersion: z.string().min(1),
    knowledgeOverrides: z.array(z.string().min(1)).min(1).optional(),
    contentVersion: z.string().min(1),
    indicator: z.enum(['info', 'warning', 'critical']),
    rule: z.string().min(1),
    syndrome: z.enum(['iec-hs', 'treatment-related-hlh']),
    exposure: z
      .object({
        class: z.enum(EXPOSURE_CLASSES),
        agent: z.string().min(1),
        start: iso.optional(),
        day0: iso.optional(),
        daysSince: z.number().int().optional(),
        matchedBy: z.enum(['code', 'name']),
        day0Basis: z.enum(['infusion', 'first-dose', 'dose-increase']).optional(),
        lastDose: iso.optional(),
        daysSinceLastDose: z.number().int().optional(),
        course: z.number().int().min(2).optional(),
        countsFrom: iso.optional(),
        agents: z
          .array(
            z
              .object({
                agent: z.string().min(1),
                class: z.enum(EXPOSURE_CLASSES),
                role: z.enum(['primary', 'combination', 'also-in-window']),
                day0: iso.optional(),
                daysSince: z.number().int().optional(),
                lastDose: iso.optional(),
                matchedBy: z.enum(['code', 'name']),
              })
              .strict(),
          )
          .min(1)
          .optional(),
      })
      .strict(),
    criteria: z
      .object({
        'astct-iec-hs': z
          .object({
            status: z.enum(['suggestive', 'watch', 'not-met', 'not-evaluable']),
            features: z.array(z.object({ id: z.string().min(1), state }).strict()),
          })
          .strict()
          .optional(),
        'hlh-2004': z
          .object({
            met: z.number().int().min(0).max(8),
            unknown: z.number().int().min(0).max(8),
            total: z.literal(8),
            items: z
              .array(
                z
                  .object({
                    id: z.enum(HLH2004_ITEM_IDS),
                    state,
                    value: z.number().optional(),
                    unit: z.string().min(1).optional(),
                    comparator: z.enum(['<', '<=', '>=', '>']).optional(),
                    time: iso.optional(),
                  })
                  .strict(),
              )
              .length(8),
          })
          .strict(),
        hscore: z
          .object({
            score: z.number().min(0),
            maxPossible: z.number().min(0),
            probability: z.number().min(0).max(100),
            probabilityDisplay: z.string().min(1),
            missing: z.array(z.string().min(1)),
          })
          .strict(),
        ohi: z.object({ state }).strict(),
      })
      .strict(),
    missingWorkup: z.array(
      z.object({ id: z.string().min(1), reason: z.enum(['missing', 'stale', 'repeat']), lastSeen: iso.optional() }).strict(),
    ),
    alternatives: z
      .array(
        z
          .object({ kind: z.enum(['infection', 'disease-progression']), system: z.string().min(1).optional(), code: z.string().min(1).optional(), time: iso.optional() })
          .strict(),
      )
      .min(1)
      .optional(),
  })
  .strict();
export type AssessmentExtension = z.infer<typeof assessmentExtensionSchema>;
