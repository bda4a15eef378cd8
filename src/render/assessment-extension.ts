/**
 * The card's machine-readable assessment (`extension["org.hlh-sentinel.assessment"]`, shape in ./extension.ts):
 * indicator and rule, the exposure and every agent in window, each criteria set's results and the missing work-up.
 */
import type { Assessment, TriggerExposure } from '../criteria/types';
import { HLH2004_ITEM_IDS } from '../criteria/types';
import type { CardContent } from './content';
import { EXTENSION_VERSION, type AssessmentExtension } from './extension';
import type { WorkupPlan } from './workup';
import { combinationOf, othersInWindow } from './exposure-text';
import type { IndicatorDecision } from './indicator';

type AgentRole = 'primary' | 'combination' | 'also-in-window';

/** `exposure.agents[]`: every trigger in window, the card's own first, then its combination, then the others. */
function agentsOf(a: Assessment, d: IndicatorDecision): NonNullable<AssessmentExtension['exposure']['agents']> {
  const combination = combinationOf(a, d.episode, d.exposure);
  const listed: [TriggerExposure, AgentRole][] = [
    ...combination.map((x, i): [TriggerExposure, AgentRole] => [x, i === 0 ? 'primary' : 'combination']),
    ...othersInWindow(a, combination).map((x): [TriggerExposure, AgentRole] => [x, 'also-in-window']),
  ];
  return listed.map(([x, role]) => ({
    agent: x.agent,
    class: x.class,
    role,
    ...(x.day0 ? { day0: x.day0 } : {}),
    ...(x.daysSince !== undefined ? { daysSince: x.daysSince } : {}),
    ...(x.lastDose ? { lastDose: x.lastDose } : {}),
    matchedBy: x.matchedBy,
  }));
}

export function buildExtension(a: Assessment, d: IndicatorDecision, plan: WorkupPlan, content: CardContent): AssessmentExtension {
  const e = d.exposure;
  const items = HLH2004_ITEM_IDS.map((id) => {
    const i = a.hlh2004.items.find((x) => x.id === id);
    return {
      id,
      state: i?.state ?? ('unknown' as const),
      ...(i?.value !== undefined ? { value: i.value } : {}),
      ...(i?.value !== undefined && i.unit ? { unit: i.unit } : {}),
      ...(i?.value !== undefined && i.comparator ? { comparator: i.comparator } : {}),
      ...(i?.time ? { time: i.time } : {}),
    };
  });
  return {
    version: EXTENSION_VERSION,
    assessmentVersion: a.version,
    asOf: a.asOf,
    knowledgeVersion: a.knowledge.version,
    ...(a.knowledge.overrides.length ? { knowledgeOverrides: [...a.knowledge.overrides] } : {}),
    contentVersion: content.contentVersion,
    indicator: d.indicator,
    rule: d.rule,
    syndrome: a.syndrome ?? e.syndrome,
    exposure: {
      class: e.class,
      agent: e.agent,
      ...(e.start ? { start: e.start } : {}),
      ...(e.day0 ? { day0: e.day0 } : {}),
      ...(e.daysSince !== undefined ? { daysSince: e.daysSince } : {}),
      matchedBy: e.matchedBy,
      ...(e.day0Basis ? { day0Basis: e.day0Basis } : {}),
      ...(e.lastDose ? { lastDose: e.lastDose } : {}),
      ...(e.daysSinceLastDose !== undefined ? { daysSinceLastDose: e.daysSinceLastDose } : {}),
      ...(e.course ? { course: e.course.number } : {}),
      ...(e.countsFrom ? { countsFrom: e.countsFrom } : {}),
      agents: agentsOf(a, d),
    },
    criteria: {
      ...(a.iecHs
        ? { 'astct-iec-hs': { status: a.iecHs.status, features: a.iecHs.features.map((f) => ({ id: f.id, state: f.state })) } }
        : {}),
      'hlh-2004': {
        met: items.filter((i) => i.state === 'met').length,
        unknown: items.filter((i) => i.state === 'unknown').length,
        total: 8,
        items,
      },
      hscore: {
        score: a.hscore.score,
        maxPossible: a.hscore.maxPossible,
        probability: a.hscore.probability.percent,
        probabilityDisplay: a.hscore.probability.display,
        missing: [...a.hscore.missing],
      },
      ohi: { state: a.ohi.state },
    },
    missingWorkup: plan.bundle.map((b) => ({ id: b.item.id, reason: b.reason, ...(b.lastSeen ? { lastSeen: b.lastSeen } : {}) })),
    ...(a.alternatives.length
      ? {
          alternatives: a.alternatives.map((x) => ({
            kind: x.kind,
            ...(x.code ? { system: x.code.system, code: x.code.code } : {}),
            ...(x.time ? { time: x.time } : {}),
          })),
        }
      : {}),
  };
}
