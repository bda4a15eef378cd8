/**
 * The exposure timeline as a Plot chart: one lane per therapy (day 0, doses, dose increases, last dose) and
 * one for CRS (episodes as bars), with asOf; every marker is focusable like the trend charts' points.
 */
import { barX, dot, ruleX } from '@observablehq/plot';
import { formatTime } from '../../render/format';
import type { ExposureView, TimelineEvent } from '../view/types';
import { plotSvg, WIDTH } from './chart';
import { makeInteractive } from './interact';

const SYMBOL: Record<TimelineEvent['kind'], string> = { day0: 'star', dose: 'circle', increase: 'triangle', last: 'square', crs: 'diamond', asOf: 'cross' };
const COLOR: Record<TimelineEvent['kind'], string> = { day0: '#6a3d9a', dose: '#1f5fa8', increase: '#b4531a', last: '#1f5fa8', crs: '#b3261e', asOf: '#222' };

export function timelineSvg(x: ExposureView): SVGSVGElement {
  const events = x.events.filter((e) => e.kind !== 'asOf');
  const lanes = [...new Set([...events.map((e) => e.lane), ...x.spans.map((s) => s.lane)])];
  const kinds = Object.keys(SYMBOL) as TimelineEvent['kind'][];
  const asOf = x.events.find((e) => e.kind === 'asOf');
  const svg = plotSvg({
    width: WIDTH,
    height: 40 + 34 * Math.max(1, lanes.length),
    marginLeft: 170,
    marginRight: 24,
    marginBottom: 26,
    ariaLabel: x.chartLabel,
    x: { type: 'utc', domain: x.domain, label: null, ticks: 6 },
    y: { domain: lanes, label: null, padding: 0.3 },
    marks: [
      barX(x.spans, { x1: 'start', x2: 'end', y: 'lane', fill: '#f3c6c2', className: 'hlh-span' }),
      ...(asOf ? [ruleX([asOf.t], { stroke: '#222', strokeDasharray: '2,2', className: 'hlh-asof' })] : []),
      ...kinds.map((kind) =>
        dot(
          events.filter((e) => e.kind === kind),
          { x: 't', y: 'lane', symbol: SYMBOL[kind], fill: COLOR[kind], r: kind === 'day0' ? 7 : 5, stroke: 'white', strokeWidth: 0.8, className: `hlh-event hlh-event-${kind}` },
        ),
      ),
    ],
  });
  const focusable = kinds.flatMap((kind) => {
    const evs = events.filter((e) => e.kind === kind);
    const shapes = [...svg.querySelectorAll(`g.hlh-event-${kind} path, g.hlh-event-${kind} circle`)] as SVGElement[];
    return shapes.map((el, i) => ({ el, t: evs[i]!.t, text: `${evs[i]!.label}, ${formatTime(new Date(evs[i]!.t).toISOString())}` }));
  });
  makeInteractive(svg, focusable);
  return svg;
}
