/**
 * Assessment → CDS Hooks cards: zero cards, or one about the strongest exposure episode (./episode-choice.ts,
 * ./indicator.ts) with its summary, detail, suggestions, links and machine-readable assessment. Pure apart from
 * uuids (injectable). Wording, sources, override reasons, the work-up catalogue and the indicator rules come from
 * the reviewable content under `cards/` (./content.ts).
 */
import { randomUUID } from 'node:crypto';
import type { Assessment } from '../criteria/types';
import type { Card } from '../hooks/response';
import { buildAppContext } from './app-context';
import type { CardContent } from './content';
import { EXTENSION_KEY } from './extension';
import { planWorkup } from './workup';
import { buildExtension } from './assessment-extension';
import { citedSources, renderDetail } from './detail';
import { chooseCard } from './episode-choice';
import { cardSuggestions } from './suggestions';
import { renderSummary } from './summary';
import { renderBriefDetail } from './brief';
import { pediatricNote } from './detail-notes';

export interface RenderContext {
  patientId: string;
  encounterId?: string;
  /** Not used for clinical decisions (the assessment's `asOf` is); accepted for symmetry with the pipeline. */
  now?: Date;
  /** The evidence view (a SMART app): the card links to it with the assessment's context. */
  evidenceLink?: { url: string; label: string };
  /** `brief` (default): the card a clinician takes in at a glance (./brief.ts); `full`: every table (./detail.ts). */
  detail?: CardDetail;
}

export type CardDetail = 'brief' | 'full';

/**
 * Renders the assessment as zero or one card. `ids` generates uuids (default crypto.randomUUID; inject a
 * deterministic generator in tests).
 */
export function renderCards(assessment: Assessment, ctx: RenderContext, content: CardContent, ids: () => string = randomUUID): Card[] {
  const chosen = chooseCard(assessment);
  if (!chosen) return [];
  const { view: a, d } = chosen;
  const plan = planWorkup(a, content);
  const lamotrigine = a.exposure.all.some((x) => x.class === 'lamotrigine' && x.inWindow);
  const cardUuid = ids();
  const order = { patientId: ctx.patientId, syndromeLabel: content.wording.syndromeLabels[d.exposure.syndrome], ...(ctx.encounterId ? { encounterId: ctx.encounterId } : {}) };

  const suggestions = cardSuggestions(plan, order, lamotrigine, content, ids);

  const src = content.sources.cardSource[d.exposure.syndrome];
  const srcUrl = content.sources.sources[src.sourceId]?.url;
  const links: NonNullable<Card['links']> = citedSources(d, content, lamotrigine)
    .filter((s): s is typeof s & { url: string } => Boolean(s.url))
    .map((s) => ({ label: s.linkLabel ?? s.label, url: s.url, type: 'absolute' as const }));
  if (ctx.evidenceLink) {
    const appContext = buildAppContext(a, d.indicator, content.contentVersion);
    links.unshift({ label: ctx.evidenceLink.label, url: ctx.evidenceLink.url, type: 'smart', appContext });
  }
  const reasons = content.overrideReasons.reasons.map((r) => ({ system: content.overrideReasons.system, code: r.code, display: r.display }));

  const card: Card = {
    uuid: cardUuid,
    summary: renderSummary(a, d, content),
    indicator: d.indicator,
    detail:
      ctx.detail === 'full'
        ? renderDetail(a, d, plan, content, lamotrigine)
        : renderBriefDetail(a, d, content, { plan, lamotrigine, pediatric: pediatricNote(a, content).length > 0, ...(ctx.evidenceLink ? { evidenceLabel: ctx.evidenceLink.label } : {}) }),
    source: { label: src.label, ...(srcUrl ? { url: srcUrl } : {}), topic: { ...src.topic } },
    ...(suggestions.length ? { suggestions, selectionBehavior: 'any' as const } : {}),
    ...(reasons.length ? { overrideReasons: reasons } : {}),
    ...(links.length ? { links } : {}),
    extension: { [EXTENSION_KEY]: buildExtension(a, d, plan, content) },
  };
  return [card];
}
