/**
 * The card's summary: one line under 140 characters (CDS Hooks 2.0 Card.summary) saying what was found for which
 * trigger, with the most telling values. Values are dropped whole, never cut mid-number; long agent names are
 * shortened first.
 */
import type { Assessment, CriterionItem } from '../criteria/types';
import type { CardContent } from './content';
import { fill, formatFactor, formatNumber, formatValue } from './format';
import { plainText } from './markdown';
import { agentsText, combinationOf, othersInWindow, summaryWhen } from './exposure-text';
import { analyteOfItem, thresholdInValueUnit, walk } from './criterion-items';
import type { IndicatorDecision } from './indicator';

const SUMMARY_MAX = 139;
const AGENT_MAX = 40;

interface SummaryValue {
  key: string;
  text: string;
}

/** The most telling met values, in the content's priority order (ferritin with its × ULN first). */
function tellingValues(a: Assessment, content: CardContent): SummaryValue[] {
  const priority = content.wording.summaryValuePriority;
  const pool = [...walk(a.iecHs?.features), ...walk(a.hlh2004.items), ...walk(a.iecHs?.mayBePresent)];
  const best = new Map<string, CriterionItem>();
  for (const item of pool) {
    if (item.state !== 'met' || item.value === undefined || !item.unit) continue;
    const key = analyteOfItem(item.id, priority);
    if (!key) continue;
    const prev = best.get(key);
    if (!prev || (!prev.multiple && item.multiple)) best.set(key, item);
  }
  const out: SummaryValue[] = [];
  for (const key of priority) {
    const item = best.get(key);
    if (!item || item.value === undefined) continue;
    const label = content.wording.summaryValueLabels[key] ?? key;
    const mult = item.multiple ? ` (${formatFactor(item.multiple.factor)} ${content.wording.detail.basis[item.multiple.of]})` : '';
    const prelim = item.status === 'preliminary' || item.flags?.includes('preliminary') ? ` (${content.wording.criteria.flags.preliminary})` : '';
    out.push({ key, text: plainText(`${label} ${formatValue(item.value, item.unit, item.comparator, thresholdInValueUnit(item))}${mult}${prelim}`) });
  }
  return out;
}

function shorten(s: string, max: number): string {
  if (s.length <= max) return s;
  const cut = s.slice(0, Math.max(1, max - 1));
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

function signalText(d: IndicatorDecision, a: Assessment, content: CardContent): string {
  const w = content.wording.summarySignal;
  if (d.signal === 'hscore') return fill(w.hscore, { score: formatNumber(a.hscore.score) });
  return fill(w.hlh2004, { met: a.hlh2004.met, total: a.hlh2004.total });
}

/** One line under 140 characters; values are dropped whole (never cut mid-number), long agent names shortened. */
export function renderSummary(a: Assessment, d: IndicatorDecision, content: CardContent): string {
  const w = content.wording.summary;
  const headline =
    d.kind === 'iec'
      ? d.rule.startsWith('iec.hlhWithoutAstct')
        ? w.iec.hlhWithoutAstct
        : w.iec[d.rule.startsWith('iec.critical') ? 'critical' : d.rule.startsWith('iec.warning') ? 'warning' : 'info']
      : w.drug[d.rule.startsWith('drug.critical') ? 'critical' : 'warning'];
  // Every agent of the combination is named; long free-text names are shortened so the telling values still fit.
  const combination = combinationOf(a, d.episode, d.exposure);
  const others = othersInWindow(a, combination);
  const agentFull = shorten(plainText(agentsText(combination, content, true)), AGENT_MAX * Math.min(combination.length, 2));
  const build = (agent: string, withOthers: boolean) => {
    const when = summaryWhen(combination, agent, withOthers ? others : [], content);
    return plainText(fill(headline, { when: withOthers ? when.withOthers : when.when, signal: signalText(d, a, content), day: d.exposure.daysSince, agent }));
  };
  let base = build(agentFull, false);
  if (base.length > SUMMARY_MAX) {
    const room = Math.max(8, agentFull.length - (base.length - SUMMARY_MAX));
    base = build(shorten(agentFull, room), false);
    if (base.length > SUMMARY_MAX) base = shorten(base, SUMMARY_MAX);
  }
  const values = tellingValues(a, content).slice(0, content.wording.summaryMaxValues);
  // Other triggers in window are named when they fit with the most telling value.
  if (others.length) {
    const full = build(agentFull, true);
    if (full.length <= SUMMARY_MAX && (!values[0] || `${full}: ${values[0].text}`.length <= SUMMARY_MAX)) base = full;
  }
  const chosen: string[] = [];
  for (const v of values) {
    const candidate = `${base}: ${[...chosen, v.text].join(', ')}`;
    if (candidate.length <= SUMMARY_MAX) chosen.push(v.text);
  }
  return chosen.length ? `${base}: ${chosen.join(', ')}` : base;
}
