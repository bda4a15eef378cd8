/**
 * Trend charts with Observable Plot (SVG). Each chart: the lookback band, the reference-range bounds, the
 * thresholds and the baseline as horizontal lines labelled in the right margin, day 0 and asOf as vertical
 * lines, and each series as a line with focusable points. Plot's default <style> element is removed before the
 * chart enters the page (the page's CSP allows stylesheets from its own origin only; evidence.css has the rules).
 */
import { dot, line, plot, rect, ruleX, ruleY } from '@observablehq/plot';
import type { ChartLine, ChartView } from '../view/types';
import { h } from './dom';
import { makeInteractive } from './interact';

const SERIES_COLORS = ['#1f5fa8', '#b4531a', '#2b7a3d', '#7a3e9d'];
const LINE_STYLE: Record<ChartLine['kind'], { stroke: string; dash?: string; width: number }> = {
  threshold: { stroke: '#b3261e', width: 1.6 },
  uln: { stroke: '#6b6b6b', dash: '5,3', width: 1.2 },
  lln: { stroke: '#6b6b6b', dash: '5,3', width: 1.2 },
  baseline: { stroke: '#0b7a75', dash: '2,3', width: 1.6 },
};
export const WIDTH = 620;
const HEIGHT = 210;
const MARGIN_RIGHT = 150;

/** Renders a Plot figure and strips its inline <style> (see the file header). */
export function plotSvg(options: Parameters<typeof plot>[0]): SVGSVGElement {
  const svg = plot({ ...options, className: 'hlh-plot' }) as unknown as SVGSVGElement;
  for (const s of svg.querySelectorAll('style')) s.remove();
  return svg;
}

function lineMarks(lines: ChartLine[]) {
  return (Object.keys(LINE_STYLE) as ChartLine['kind'][]).map((kind) => {
    const s = LINE_STYLE[kind];
    return ruleY(
      lines.filter((l) => l.kind === kind),
      { y: 'value', stroke: s.stroke, strokeWidth: s.width, ...(s.dash ? { strokeDasharray: s.dash } : {}), className: `hlh-line-${kind}` },
    );
  });
}

const LABEL_GAP = 11;
const MARGIN_TOP = 14;
const MARGIN_BOTTOM = 26;

/** Moves sorted positions apart by at least `gap`, within [top, bottom] where room allows. */
function spread(items: Array<{ y: number }>, gap: number, top: number, bottom: number): void {
  for (let i = 1; i < items.length; i++) items[i]!.y = Math.max(items[i]!.y, items[i - 1]!.y + gap);
  const last = items[items.length - 1];
  const overflow = last ? last.y - bottom : 0;
  if (overflow > 0) for (const it of items) it.y -= overflow;
  for (let i = items.length - 2; i >= 0; i--) items[i]!.y = Math.min(items[i]!.y, items[i + 1]!.y - gap);
  const first = items[0];
  if (first && first.y < top) {
    const shift = top - first.y;
    for (const it of items) it.y += shift;
  }
}

/** Labels of the horizontal lines in the right margin, nudged apart so they never overlap. */
function labelLines(svg: SVGSVGElement, lines: ChartLine[]): void {
  const y = (svg as unknown as { scale(n: string): { apply(v: number): number } }).scale('y');
  const placed = lines.map((l) => ({ l, y: y.apply(l.value) })).sort((a, b) => a.y - b.y);
  spread(placed, LABEL_GAP, MARGIN_TOP, HEIGHT - MARGIN_BOTTOM + 8);
  const g = document.createElementNS('http://www.w3.org/2000/svg', 'g');
  g.setAttribute('class', 'hlh-line-labels');
  for (const p of placed) {
    const t = document.createElementNS('http://www.w3.org/2000/svg', 'text');
    t.setAttribute('x', String(WIDTH - MARGIN_RIGHT + 6));
    t.setAttribute('y', String(p.y + 3.5));
    t.setAttribute('fill', LINE_STYLE[p.l.kind].stroke);
    t.setAttribute('text-anchor', 'start');
    t.setAttribute('data-kind', p.l.kind);
    t.textContent = p.l.label.length > 30 ? `${p.l.label.slice(0, 29)}…` : p.l.label;
    const title = document.createElementNS('http://www.w3.org/2000/svg', 'title');
    title.textContent = p.l.label;
    t.append(title);
    g.append(t);
  }
  svg.append(g);
}

export function chartElement(c: ChartView, labels: { day0: string; asOf: string; lookback: string }): HTMLElement {
  const bySeries = c.series.map((s, i) => ({ ...s, color: SERIES_COLORS[i % SERIES_COLORS.length]!, points: c.points.filter((p) => p.series === s.label) }));
  const marks = [
    rect([{ x1: c.lookbackStart, x2: c.asOf }], { x1: 'x1', x2: 'x2', fill: '#e8eef8', className: 'hlh-lookback' }),
    ...lineMarks(c.lines),
    ...(c.day0 !== undefined ? [ruleX([c.day0], { stroke: '#6a3d9a', strokeWidth: 1.6, className: 'hlh-day0' })] : []),
    ruleX([c.asOf], { stroke: '#222', strokeDasharray: '2,2', className: 'hlh-asof' }),
    ...bySeries.flatMap((s) => [
      line(s.points, { x: 't', y: 'value', stroke: s.color, strokeWidth: 1.5, className: 'hlh-series-line' }),
      dot(s.points, { x: 't', y: 'value', fill: s.color, r: 3.5, stroke: 'white', strokeWidth: 0.8, className: `hlh-points hlh-points-${s.analyte}` }),
    ]),
  ];
  const svg = plotSvg({
    width: WIDTH,
    height: HEIGHT,
    marginLeft: 56,
    marginRight: MARGIN_RIGHT,
    marginTop: MARGIN_TOP,
    marginBottom: MARGIN_BOTTOM,
    ariaLabel: `${c.title}, ${c.unit}`,
    ariaDescription: c.summary,
    x: { type: 'utc', domain: c.domain, label: null, ticks: 5 },
    y: { type: c.scale, label: c.unit, grid: true, nice: c.scale === 'linear' },
    marks,
  });
  labelLines(svg, c.lines);
  const focusable = bySeries.flatMap((s) => {
    const circles = [...svg.querySelectorAll(`g.hlh-points-${s.analyte} circle`)] as SVGElement[];
    return circles.map((el, i) => {
      const p = s.points[i]!;
      el.setAttribute('data-series', s.analyte);
      el.setAttribute('data-value', String(p.value));
      if (!p.inLookback) el.classList.add('outside-lookback');
      return { el, t: p.t, text: p.text };
    });
  });
  makeInteractive(svg, focusable);
  const legend = h(
    'ul',
    { class: 'legend' },
    ...bySeries.map((s, i) => h('li', { class: `swatch series-${i}` }, `${s.label} (${s.count})`)),
    h('li', { class: 'swatch lookback' }, labels.lookback),
    c.day0 !== undefined && h('li', { class: 'swatch day0' }, labels.day0),
    h('li', { class: 'swatch asof' }, labels.asOf),
  );
  return h(
    'figure',
    { class: 'chart', 'data-chart': c.id, 'data-points': c.points.length, 'data-lines': c.lines.length },
    h('figcaption', {}, h('h3', {}, `${c.title}${c.unit ? ` (${c.unit})` : ''}`), h('p', { class: 'chart-summary' }, c.summary)),
    svg,
    legend,
  );
}
