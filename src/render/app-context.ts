/**
 * The `appContext` of a card's `smart` link (CDS Hooks 2.0 Link.appContext): what the evidence view needs to
 * show the same assessment as the card. The EHR hands it to the launched app in the token response.
 *
 * It carries no patient data: the asOf the card was computed at, the versions of the engine, knowledge and
 * card content, the indicator, and a digest of the clinical result (exposure, criteria), which the view
 * recomputes from the patient's FHIR data to say whether it shows the card's assessment or a newer one.
 */
import { createHash } from 'node:crypto';
import type { Assessment, CriterionItem } from '../criteria/types';

export const APP_CONTEXT_VERSION = 1;

export interface EvidenceAppContext {
  v: typeof APP_CONTEXT_VERSION;
  asOf: string;
  assessmentVersion: string;
  knowledgeVersion: string;
  contentVersion: string;
  indicator: 'info' | 'warning' | 'critical';
  /** assessmentDigest of the card's assessment. */
  digest: string;
}

type Projected = Array<string | number | boolean | null | Projected>;

/** What decided each item: id, state, the counted value with unit, comparator and time; then its components. */
function project(items: readonly CriterionItem[] | undefined): Projected {
  return (items ?? []).map((i) => [i.id, i.state, i.value ?? null, i.unit ?? null, i.comparator ?? null, i.time ?? null, project(i.components)]);
}

/**
 * SHA-1 (first 16 hex digits) of the clinical result: asOf, the primary exposure, and every criterion of every
 * framework with its state and the value that decided it. Wording, citations, data-issue notes and knowledge
 * provenance are left out (provenance is compared separately).
 */
export function assessmentDigest(a: Assessment): string {
  const p = a.exposure.primary;
  const clinical: Projected = [
    a.asOf,
    p ? [p.class, p.agent, p.day0 ?? null, p.daysSince ?? null, p.inWindow] : null,
    a.iecHs ? [a.iecHs.status, project(a.iecHs.features), project(a.iecHs.mayBePresent)] : null,
    [a.hlh2004.met, a.hlh2004.unknown, project(a.hlh2004.items)],
    [a.hscore.score, a.hscore.maxPossible, project(a.hscore.variables)],
    [a.ohi.state, project(a.ohi.items)],
  ];
  return createHash('sha1').update(JSON.stringify(clinical)).digest('hex').slice(0, 16);
}

export function buildAppContext(a: Assessment, indicator: EvidenceAppContext['indicator'], contentVersion: string): string {
  const ctx: EvidenceAppContext = {
    v: APP_CONTEXT_VERSION,
    asOf: a.asOf,
    assessmentVersion: a.version,
    knowledgeVersion: a.knowledge.version,
    contentVersion,
    indicator,
    digest: assessmentDigest(a),
  };
  return JSON.stringify(ctx);
}

const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 200;

/** The app context an EHR passed back, or undefined when absent or not ours (never throws). */
export function parseAppContext(raw: unknown): EvidenceAppContext | undefined {
  let v: unknown = raw;
  if (typeof raw === 'string') {
    try {
      v = JSON.parse(raw);
    } catch {
      return undefined;
    }
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  if (o.v !== APP_CONTEXT_VERSION) return undefined;
  const fields = ['asOf', 'assessmentVersion', 'knowledgeVersion', 'contentVersion', 'digest'] as const;
  if (!fields.every((f) => isText(o[f])) || Number.isNaN(Date.parse(o.asOf as string))) return undefined;
  if (o.indicator !== 'info' && o.indicator !== 'warning' && o.indicator !== 'critical') return undefined;
  return {
    v: APP_CONTEXT_VERSION,
    asOf: o.asOf as string,
    assessmentVersion: o.assessmentVersion as string,
    knowledgeVersion: o.knowledgeVersion as string,
    contentVersion: o.contentVersion as string,
    indicator: o.indicator,
    digest: o.digest as string,
  };
}
