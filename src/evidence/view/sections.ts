/**
 * The evidence view's text sections: header (indicator and the card's summary line), versions and
 * provenance (compared with the card's app context), missing and stale tests, data issues, sources.
 */
import type { Assessment } from '../../criteria/types';
import { assessmentDigest } from '../../render/app-context';
import { dataIssueText } from '../../render/data-issue-text';
import type { CardContent } from '../../render/content';
import { fill, formatAge, formatTime } from '../../render/format';
import { planWorkup } from '../../render/workup';
import type { EvidenceContent } from '../content';
import type { DataSource, EvidenceView, PageConfig } from './types';
import type { IndicatorDecision } from '../../render/indicator';
import { renderSummary } from '../../render/summary';

type Cards = Omit<CardContent, 'dir'>;

/** The header from the card's own choice (`chooseCard`): its indicator and summary, or why there is no card. */
export function headerOf(a: Assessment, d: IndicatorDecision | undefined, cards: Cards, w: EvidenceContent): Pick<EvidenceView, 'indicator' | 'indicatorText' | 'summary' | 'noCard'> {
  if (!d) {
    const reason = a.exposure.status === 'none' ? 'none' : a.exposure.status === 'outside-window' ? 'outside-window' : 'below-rules';
    return { noCard: fill(w.header.noCard, { reason: w.header.noCardReasons[reason] }) };
  }
  return { indicator: d.indicator, indicatorText: w.header.indicator[d.indicator], summary: renderSummary(a, d, cards as CardContent) };
}

export function provenanceOf(a: Assessment, config: PageConfig, source: DataSource, indicator: string | undefined): EvidenceView['provenance'] {
  const p = config.evidence.provenance;
  const digest = assessmentDigest(a);
  const rows: Array<[string, string]> = [
    [p.asOf, `${formatTime(a.asOf)} (${p.asOfFrom[source.asOfFrom]})`],
    [p.assessmentVersion, a.version],
    [p.knowledgeVersion, a.knowledge.version],
    ...(a.knowledge.overrides.length ? [[p.knowledgeOverrides, a.knowledge.overrides.join(', ')] as [string, string]] : []),
    [p.contentVersion, config.cards.contentVersion],
    [p.digest, digest],
  ];
  const notices: EvidenceView['provenance']['notices'] = [];
  const card = source.appContext;
  if (source.mode === 'ehr' && !card) notices.push({ kind: 'warn', text: p.noCardContext });
  if (card) {
    const versions: Array<[string, string, string]> = [
      [p.assessmentVersion, card.assessmentVersion, a.version],
      [p.knowledgeVersion, card.knowledgeVersion, a.knowledge.version],
      [p.contentVersion, card.contentVersion, config.cards.contentVersion],
    ];
    for (const [name, was, now] of versions) if (was !== now) notices.push({ kind: 'warn', text: fill(p.versionDiffers, { name, card: was, view: now }) });
    if (card.digest === digest && card.indicator === indicator) notices.push({ kind: 'ok', text: fill(p.cardMatches, { digest }) });
    else notices.push({ kind: 'warn', text: fill(p.cardDiffers, { card: card.digest, view: digest }) });
  }
  return { rows, notices };
}

export function missingOf(a: Assessment, cards: Cards, w: EvidenceContent): string[] {
  const m = w.missing;
  const plan = planWorkup(a, cards as CardContent);
  const out: string[] = [];
  const missing = plan.bundle.filter((d) => d.reason === 'missing');
  const stale = plan.bundle.filter((d) => d.reason === 'stale');
  const partial = (d: (typeof plan.bundle)[number]) => (d.analytes.length < d.item.covers.length ? ` (${d.analytes.join(', ')})` : '');
  if (missing.length) out.push(fill(m.noResult, { items: missing.map((d) => `${d.item.label}${partial(d)}`).join('; ') }));
  if (stale.length) {
    const items = stale.map((d) => fill(m.staleItem, { label: d.item.label, age: formatAge(d.ageHours ?? 0), time: formatTime(d.lastSeen), hours: d.item.freshnessHours }));
    out.push(fill(m.stale, { items: items.join('; ') }));
  }
  const covered = new Set(plan.bundle.flatMap((d) => d.item.covers as string[]));
  const uncovered = a.missing.filter((x) => !covered.has(x));
  if (uncovered.length) out.push(fill(m.uncovered, { items: uncovered.join(', ') }));
  if (plan.optional.length) out.push(fill(m.optional, { items: plan.optional.map((i) => i.label).join('; ') }));
  for (const adv of plan.advice) out.push(adv.label);
  return out.length ? out : [m.none];
}

/** Each issue in the card's words, with its stable code and, at this depth, the resource it is about. */
export function dataIssuesOf(a: Assessment, cards: Cards, w: EvidenceContent): EvidenceView['dataIssues'] {
  return a.dataIssues.map((i) => {
    const vars = { code: i.code, text: dataIssueText(i, cards.wording), source: i.source ?? '' };
    return { severity: w.dataIssues.severity[i.severity], text: fill(i.source ? w.dataIssues.lineWithSource : w.dataIssues.line, vars) };
  });
}

export function sourcesOf(a: Assessment, cards: Cards): EvidenceView['sources'] {
  const syndrome = a.syndrome ?? a.exposure.primary?.syndrome;
  const lamotrigine = a.exposure.all.some((x) => x.class === 'lamotrigine' && x.inWindow);
  const ids = syndrome ? [...cards.sources.cite[syndrome], ...(lamotrigine ? cards.sources.cite.lamotrigine : [])] : Object.keys(cards.sources.sources);
  return [...new Set(ids)]
    .map((id) => cards.sources.sources[id])
    .filter((s): s is NonNullable<typeof s> => Boolean(s))
    .map((s) => ({ label: s.label, ...(s.url ? { url: s.url } : {}) }));
}
