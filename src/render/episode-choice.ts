/**
 * Which exposure episode the card is about. An assessment with several trigger therapies in window has one result
 * per episode, each counted from its own day 0; the card shows the strongest.
 */
import type { Assessment, EpisodeAssessment } from '../criteria/types';
import { RANK, decideIndicator, type IndicatorDecision } from './indicator';

/** The assessment as seen from one exposure episode: its own criteria results and trigger. */
function episodeView(a: Assessment, ep: EpisodeAssessment): Assessment {
  const { iecHs: _primaryIecHs, marrowExamination: _primaryMarrow, ...rest } = a;
  return {
    ...rest,
    syndrome: ep.syndrome,
    hlh2004: ep.hlh2004,
    hscore: ep.hscore,
    ohi: ep.ohi,
    exposure: { ...a.exposure, primary: ep.exposure },
    ...(ep.iecHs ? { iecHs: ep.iecHs } : {}),
    ...(ep.marrowExamination ? { marrowExamination: ep.marrowExamination } : {}),
  };
}

/**
 * The card among the in-window exposure episodes: the strongest (indicator, then HLH-2004 criteria met, then
 * HScore, each counted from the trigger's own day 0, so a trigger that precedes more of the findings wins), ties
 * in engine order (IEC classes first, then the most recent day 0). Undefined when no episode gives a card.
 */
export function chooseCard(a: Assessment): { view: Assessment; d: IndicatorDecision } | undefined {
  if (!a.episodes?.length) {
    const d = decideIndicator(a);
    return d ? { view: a, d } : undefined;
  }
  const strength = (x: { view: Assessment; d: IndicatorDecision }) => [RANK[x.d.indicator], x.view.hlh2004.met, x.view.hscore.score];
  let best: { view: Assessment; d: IndicatorDecision } | undefined;
  for (const ep of a.episodes) {
    const view = episodeView(a, ep);
    const d = decideIndicator(view);
    if (!d) continue;
    const candidate = { view, d: { ...d, episode: ep } };
    if (!best) best = candidate;
    else {
      const [s, t] = [strength(candidate), strength(best)];
      const diff = s.map((v, i) => v - (t[i] as number)).find((x) => x !== 0) ?? 0;
      if (diff > 0) best = candidate;
    }
  }
  return best;
}
