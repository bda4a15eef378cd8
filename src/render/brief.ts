/**
 * The brief card detail (CARD_DETAIL=brief, the default): what a clinician takes in at a glance, within
 * BRIEF_BUDGET characters of Markdown. The disclaimer, the trigger with its timing (every agent named), why the
 * card has its indicator, the criteria met with their values, the HLH-2004 count and the HScore, documented
 * alternative explanations, the top missing tests and a pointer to the evidence view, which holds the rest. Parts
 * are shortened or dropped in BRIEF_DROP_ORDER when the card would be too long (./brief-budget.ts). Wording comes
 * from cards/wording.json `brief`.
 */
import type { Assessment, TriggerExposure } from '../criteria/types';
import type { CardContent } from './content';
import { fill, formatNumber } from './format';
import { escapeMarkdown as esc } from './markdown';
import type { WorkupPlan } from './workup';
import { combinationOf, dayText, othersInWindow } from './exposure-text';
import type { IndicatorDecision } from './indicator';
import { cutAtWord, fitBudget, type BriefPart } from './brief-budget';
import { metCriteriaLines } from './brief-criteria';
import { agentWithClass, alternativeText, withoutResourceIds } from './clinical-text';
import { dataIssueText } from './data-issue-text';

/** Characters of Markdown a brief detail may take, by card indicator. */
export const BRIEF_BUDGET = { critical: 1200, warning: 1200, info: 600 } as const;

/**
 * Parts shortened first come first; the parts not listed (disclaimer, reason) are never shortened, and the trigger
 * (only the other agents' timing goes), the counts, the criteria and the alternatives never below their last step.
 */
export const BRIEF_DROP_ORDER = ['consider', 'missing', 'trigger', 'counts', 'criteria', 'data', 'lamotrigine', 'alternatives', 'evidence'] as const;

/** Longest agent name shown (shortened at a word), so that every agent of a long list still fits. */
const AGENT_MAX = { critical: 60, warning: 60, info: 36 } as const;
const OTHER_AGENT_MAX = { critical: 40, warning: 40, info: 20 } as const;
const CRITERIA_STEPS = [6, 4, 2, 1];
/** The top missing tests named (the rest are in the suggestions and the evidence view), then fewer. */
const MISSING_STEPS = [4, 2];
const MAX_ALTERNATIVES = 3;

type Brief = CardContent['wording']['brief'];

function triggerPart(a: Assessment, d: IndicatorDecision, content: CardContent): BriefPart {
  const w = content.wording;
  const b = w.brief;
  const short = (x: TriggerExposure, max: number) => cutAtWord(w.agentShortNames[x.agent.toLowerCase()] ?? x.agent, max);
  const withClass = (x: TriggerExposure, max: number) => agentWithClass(short(x, max), w.exposureClassLabels[x.class]);
  const combination = combinationOf(a, d.episode, d.exposure);
  const days = dayText(combination, w, (s) => esc(s));
  const main = (name: (x: TriggerExposure) => string) => fill(b.trigger, { agents: esc(combination.map(name).join(w.exposure.agentJoiner), 1000), dayText: days });
  const full = main((x) => withClass(x, AGENT_MAX[d.indicator]));
  const others = othersInWindow(a, combination);
  if (!others.length) return { id: 'trigger', levels: [full, main((x) => short(x, AGENT_MAX[d.indicator]))] };
  const max = OTHER_AGENT_MAX[d.indicator];
  const also = (items: string[]) => fill(b.alsoInWindow, { list: items.join('; ') });
  const withDays = others.map((o) => fill(b.alsoInWindowItem, { agent: esc(withClass(o, max), 1000), dayText: dayText([o], w, (s) => esc(s)) }));
  // Every agent stays named; the other agents' timing goes first, then the class labels.
  return {
    id: 'trigger',
    levels: [
      `${full} ${also(withDays)}`,
      `${full} ${also(others.map((o) => esc(withClass(o, max), 1000)))}`,
      `${main((x) => short(x, AGENT_MAX[d.indicator]))} ${also(others.map((o) => esc(short(o, max), 1000)))}`,
    ],
  };
}

function reasonPart(a: Assessment, d: IndicatorDecision, content: CardContent): BriefPart {
  const b = content.wording.brief;
  const rule = d.rule.endsWith('+capped') ? 'capped' : (d.rule as keyof Brief['reason']);
  // Every number is the one the indicator rules used (the knowledge in force): never a second copy.
  const signal =
    d.signal === 'hscore'
      ? fill(b.signal.hscore, { score: formatNumber(a.hscore.score), cutoff: formatNumber(a.hscore.cutoff) })
      : fill(b.signal.hlh2004, { met: a.hlh2004.met, needed: a.hlh2004.required });
  const ferritin = a.hlh2004.items.find((i) => i.id === 'ferritin')?.threshold;
  const why = fill(b.reason[rule] ?? b.reason['iec.warning'], {
    signal,
    ferritin: ferritin ? `${formatNumber(ferritin.value)} ${ferritin.unit}` : '',
    further: a.knowledge.indicator.drugWarningFurtherCriteria.value,
  });
  return { id: 'reason', levels: [`**${b.indicator[d.indicator]}:** ${why}`] };
}

function criteriaPart(a: Assessment, content: CardContent): BriefPart {
  const b = content.wording.brief;
  const lines = metCriteriaLines(a, content);
  if (!lines.length) return { id: 'criteria', levels: [] };
  const render = (n: number) => {
    const shown = lines.slice(0, n).map((l) => `- ${l}`);
    if (lines.length > n) shown.push(`- ${fill(b.moreCriteria, { n: lines.length - n })}`);
    return [b.criteriaHeading, ...shown].join('\n');
  };
  const steps = [lines.length, ...CRITERIA_STEPS.filter((n) => n < lines.length)];
  const more = lines.length > 1 ? [fill(b.moreCriteria, { n: lines.length - 1 })] : [];
  return { id: 'criteria', levels: [...steps.map(render), fill(b.criteriaShort, { items: [lines[0], ...more].join('; ') })] };
}

function countsPart(a: Assessment, content: CardContent): BriefPart {
  const b = content.wording.brief;
  const h = a.hlh2004;
  const s = a.hscore;
  const score = s.complete || s.score === s.maxPossible ? `${s.score}` : `${s.score}–${s.maxPossible}`;
  const value = esc(s.probability.display);
  const max = esc(s.probabilityAtMaxPossible.display);
  const probability = s.complete || value === max ? fill(b.probability, { value }) : fill(b.probabilityUpTo, { value, max });
  const vars = { met: h.met, unknown: h.unknown, total: h.total, required: h.required, score, maximum: s.maximum };
  return { id: 'counts', levels: [fill(b.counts, { ...vars, probability }), fill(b.countsShort, { ...vars, probability: fill(b.probability, { value }) })] };
}

function alternativesPart(a: Assessment, content: CardContent): BriefPart {
  const b = content.wording.brief;
  if (!a.alternatives.length) return { id: 'alternatives', levels: [] };
  const lines = a.alternatives.slice(0, MAX_ALTERNATIVES).map((x) => `- ${alternativeText(x, content, 48)}`);
  const render = (n: number) => {
    const more = a.alternatives.length - n;
    return [b.alternativesNote, ...lines.slice(0, n), ...(more > 0 ? [`- ${fill(b.alternativesMore, { n: more })}`] : [])].join('\n');
  };
  const shortest = fill(b.alternativesShort, { line: `- ${alternativeText(a.alternatives[0]!, content, 28)}`, n: a.alternatives.length });
  return { id: 'alternatives', levels: [...(lines.length > 1 ? [render(lines.length)] : []), render(1), shortest] };
}

function missingPart(plan: WorkupPlan, content: CardContent): BriefPart {
  const b = content.wording.brief;
  const due = [...plan.bundle, ...plan.check];
  if (!due.length) return { id: 'missing', levels: [] };
  const names = due.map((d) => (d.item.covers.length === 1 ? content.wording.analyteLabels[d.item.covers[0]!] : d.item.label));
  const render = (n: number) =>
    fill(b.missing, { items: names.length > n ? fill(b.missingMore, { items: names.slice(0, n).join(', '), n: names.length - n }) : names.join(', ') });
  const steps = [Math.min(names.length, MISSING_STEPS[0]!), ...MISSING_STEPS.slice(1).filter((n) => n < names.length)];
  return { id: 'missing', levels: [...steps.map(render), fill(b.missingCount, { n: names.length }), ''] };
}

/** The pediatric-range note and the data problems (warnings first: a failed prefetch means data are missing). */
function dataPart(a: Assessment, content: CardContent, pediatric: boolean): BriefPart {
  const b = content.wording.brief;
  const issues = [...a.dataIssues.filter((i) => i.severity === 'warning'), ...a.dataIssues.filter((i) => i.severity !== 'warning')];
  const first = issues[0];
  const levels: string[] = [];
  if (first) {
    const message = esc(cutAtWord(withoutResourceIds(dataIssueText(first, content.wording), content), 140), 1000);
    const n = issues.length - 1;
    levels.push(n ? fill(b.dataIssuesMore, { message, n }) : fill(b.dataIssue, { message }), fill(b.dataIssuesCount, { n: issues.length }));
  }
  const withPediatric = pediatric ? levels.map((l) => `${b.pediatric} ${l}`) : levels;
  return { id: 'data', levels: pediatric && !first ? [b.pediatric, ''] : [...withPediatric, ...(pediatric ? [b.pediatric] : []), ''] };
}

function optionalParts(d: IndicatorDecision, content: CardContent, lamotrigine: boolean): BriefPart[] {
  const b = content.wording.brief;
  return [
    { id: 'consider', levels: d.indicator === 'info' ? [] : [d.kind === 'iec' ? b.consider.iec : b.consider.drug, ''] },
    { id: 'lamotrigine', levels: lamotrigine ? [b.lamotrigine, ''] : [] },
  ];
}

export interface BriefInput {
  plan: WorkupPlan;
  lamotrigine: boolean;
  /** Whether a pediatric patient's criteria were judged against fallback ranges. */
  pediatric: boolean;
  /** The evidence view's link label, when the card links to it. */
  evidenceLabel?: string;
}

export function renderBriefDetail(a: Assessment, d: IndicatorDecision, content: CardContent, input: BriefInput): string {
  const b = content.wording.brief;
  const [consider, lamotrigine] = optionalParts(d, content, input.lamotrigine);
  const evidence = input.evidenceLabel ? fill(b.evidence.linked, { label: esc(input.evidenceLabel, 80) }) : b.evidence.unlinked;
  const parts: BriefPart[] = [
    { id: 'disclaimer', levels: [b.disclaimer] },
    triggerPart(a, d, content),
    reasonPart(a, d, content),
    countsPart(a, content),
    criteriaPart(a, content),
    alternativesPart(a, content),
    missingPart(input.plan, content),
    consider!,
    lamotrigine!,
    dataPart(a, content, input.pediatric),
    { id: 'evidence', levels: [evidence, ''] },
  ].filter((p) => p.levels.length > 0);
  return fitBudget(parts, BRIEF_DROP_ORDER, BRIEF_BUDGET[d.indicator]);
}
