/**
 * How a card words its trigger exposure (wording in cards/wording.json `exposure`): day numbering ("day N after
 * infusion", "day N after first dose; last dose D days ago", lamotrigine "day N after start" or "day N after dose
 * increase (started …)"), every agent in window named (a combination joined, the others as "also in window"),
 * and the values left out because they predate day 0.
 */
import type { Assessment, EpisodeAssessment, TriggerExposure } from '../criteria/types';
import type { CardContent } from './content';
import { fill, formatTime } from './format';
import { escapeMarkdown as esc, plainText } from './markdown';
import { classInParens } from './clinical-text';

type Wording = CardContent['wording'];

function agentDisplay(agent: string, content: CardContent): string {
  return content.wording.agentShortNames[agent.toLowerCase()] ?? agent;
}

/** The in-window exposures of the episode's combination (same syndrome, course started the same day), the episode's own first. */
export function combinationOf(a: Assessment, episode: EpisodeAssessment | undefined, primary: TriggerExposure): TriggerExposure[] {
  const names = new Set(episode?.combination ?? []);
  return [primary, ...a.exposure.all.filter((x) => x.inWindow && x !== primary && names.has(x.agent))];
}

/** In-window exposures that are neither the card's trigger nor part of its combination. */
export function othersInWindow(a: Assessment, combination: readonly TriggerExposure[]): TriggerExposure[] {
  return a.exposure.all.filter((x) => x.inWindow && !combination.includes(x));
}

function agoText(days: number, w: Wording): string {
  const ago = w.exposure.ago;
  return days <= 0 ? ago.today : days === 1 ? ago.one : fill(ago.other, { n: days });
}

/**
 * The day text of an exposure (or a combination: the latest last dose of its agents, on therapy if any is); the
 * dates, which come from the EHR, go through `escape` (Markdown escaping in the detail).
 */
export function dayText(list: readonly TriggerExposure[], w: Wording, escape: (s: string) => string = (s) => s): string {
  const e = list[0] as TriggerExposure;
  const x = w.exposure;
  if (e.daysSince === undefined || e.day0 === undefined) return x.day.noDate;
  const vars = { day: e.daysSince, date: escape(formatTime(e.day0)), start: escape(formatTime(e.start)) };
  if (e.day0Basis === 'infusion') return fill(e.infusionPlanned ? x.day.plannedInfusion : x.day.infusion, vars);
  if (e.day0Basis === 'dose-increase') return fill(x.day.doseIncrease, vars);
  const first = fill(e.class === 'lamotrigine' ? x.day.start : x.day.firstDose, vars);
  let last: TriggerExposure | undefined;
  for (const c of list) if (c.lastDose && c.daysSinceLastDose !== undefined && (!last || c.daysSinceLastDose < (last.daysSinceLastDose as number))) last = c;
  const parts = [first];
  // Repeated dosing: a last dose after the first dose's day.
  if (last && last.daysSinceLastDose !== undefined && last.daysSinceLastDose < e.daysSince) {
    parts.push(fill(x.lastDose, { ago: agoText(last.daysSinceLastDose, w), date: escape(formatTime(last.lastDose)) }));
  }
  if (list.some((c) => c.onTherapy) && !(last && last.daysSinceLastDose === 0)) parts.push(x.onTherapy);
  return parts.join('; ');
}

/** The agents of a combination as one name ("ipilimumab + nivolumab"), short names where the content has them. */
export function agentsText(list: readonly TriggerExposure[], content: CardContent, short: boolean): string {
  return list.map((e) => (short ? agentDisplay(e.agent, content) : e.agent)).join(content.wording.exposure.agentJoiner);
}

/** Detail lines about the exposure after the intro: course, class effect, other triggers in window, values not counted. */
export function exposureNotes(a: Assessment, episode: EpisodeAssessment | undefined, combination: readonly TriggerExposure[], content: CardContent): string[] {
  const w = content.wording;
  const e = combination[0] as TriggerExposure;
  const out: string[] = [];
  if (e.course) out.push(fill(w.exposure.newCourse, { number: e.course.number, previousLast: esc(formatTime(e.course.previousLast)) }));
  for (const c of combination) if (c.classEffect) out.push(fill(w.exposure.classEffect, { agent: esc(c.agent) }));
  const others = othersInWindow(a, combination);
  if (others.length) {
    const items = others.map((o) => {
      const ep = a.episodes?.find((x) => x.exposure === o);
      return fill(w.exposure.alsoInWindowItem, {
        agent: esc(o.agent),
        class: w.exposureClassLabels[o.class],
        classInParens: classInParens(o.agent, w.exposureClassLabels[o.class]),
        dayText: dayText([o], w, (s) => esc(s)),
        met: ep?.hlh2004.met ?? '?',
        score: ep?.hscore.score ?? '?',
      });
    });
    out.push(fill(w.exposure.alsoInWindow, { list: items.join('; ') }));
  }
  if (episode && episode.notCounted > 0 && e.countsFrom) {
    out.push(fill(w.exposure.notCounted, { n: episode.notCounted, agent: esc(agentsText(combination, content, false)), countsFrom: esc(formatTime(e.countsFrom)) }));
  }
  return out;
}

/** The summary's "when" part: "day 12 after axi-cel", "day 5 after lamotrigine dose increase", "(also TMP-SMX)". */
export function summaryWhen(combination: readonly TriggerExposure[], agent: string, others: readonly TriggerExposure[], content: CardContent): { when: string; withOthers: string } {
  const w = content.wording;
  const e = combination[0] as TriggerExposure;
  const when =
    e.daysSince === undefined
      ? fill(w.summary.whenNoDay, { agent })
      : e.day0Basis === 'dose-increase'
        ? fill(w.exposure.summaryWhenDoseIncrease, { day: e.daysSince, agent })
        : e.infusionPlanned
          ? fill(w.exposure.summaryWhenPlannedInfusion, { day: e.daysSince, agent })
          : fill(w.summary.whenWithDay, { day: e.daysSince, agent });
  const withOthers = others.length ? fill(w.exposure.summaryAlsoInWindow, { when, agents: plainText(agentsText(others, content, true)) }) : when;
  return { when: plainText(when), withOthers: plainText(withOthers) };
}
