/**
 * EvidenceView → DOM. The page's order follows how a clinician reads it: what the card said and whether this
 * is the same assessment; the exposure timeline; the trends; every criterion; what is missing; data issues;
 * sources and versions.
 */
import type { EvidenceContent } from '../content';
import type { ChartView, EvidenceView } from '../view/types';
import { chartElement } from './chart';
import { h, section } from './dom';
import { criteriaBlock, tableElement } from './tables';
import { timelineSvg } from './timeline-chart';

function headerElement(v: EvidenceView): HTMLElement {
  return h(
    'header',
    { class: 'page-header' },
    h('h1', {}, v.title),
    h('p', { class: 'patient' }, v.patient ?? ''),
    h('p', { class: 'mode' }, v.mode),
    v.indicator
      ? h('p', { class: `summary indicator-${v.indicator}`, 'data-indicator': v.indicator }, h('span', { class: 'badge' }, v.indicatorText ?? v.indicator), ' ', v.summary ?? '')
      : h('p', { class: 'summary no-card' }, v.noCard ?? ''),
    h('p', { class: 'disclaimer' }, v.disclaimer),
    ...v.provenance.notices.map((n) => h('p', { class: `notice notice-${n.kind}`, role: n.kind === 'warn' ? 'alert' : undefined }, n.text)),
  );
}

function exposureSection(v: EvidenceView): HTMLElement {
  const x = v.exposure;
  if (x.empty) return section('exposure', v.sections.exposure, h('p', {}, x.empty));
  return section(
    'exposure',
    v.sections.exposure,
    x.dayText ? h('p', { class: 'day-text' }, x.dayText) : null,
    h('div', { class: 'timeline' }, timelineSvg(x)),
    h('ul', { class: 'legend' }, ...x.legend.map(([symbol, text]) => h('li', {}, h('span', { class: `symbol symbol-${symbol}`, 'aria-hidden': 'true' }), text))),
    tableElement({ id: 'exposures', title: v.sections.exposure, notes: [], header: x.header, rows: x.rows }),
  );
}

function valuesTable(c: ChartView, w: EvidenceContent): HTMLElement {
  const col = w.charts.columns;
  const rows = [...c.points].sort((a, b) => a.t - b.t);
  return h(
    'details',
    { class: 'values' },
    h('summary', {}, `${w.charts.valuesTable} (${rows.length})`),
    h(
      'table',
      {},
      h('thead', {}, h('tr', {}, ...[col.time, col.series, col.value, col.reported, col.status, col.source].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, ...rows.map((p) => h('tr', {}, h('td', {}, p.time), h('td', {}, p.series), h('td', {}, p.display), h('td', {}, p.reported), h('td', {}, p.status), h('td', {}, p.source)))),
    ),
  );
}

function trendsSection(v: EvidenceView, w: EvidenceContent): HTMLElement {
  const labels = { day0: w.charts.day0, asOf: w.charts.asOf, lookback: w.charts.lookback };
  return section(
    'trends',
    v.sections.trends,
    h('p', { class: 'hint' }, v.chartHint),
    h('div', { class: 'charts' }, ...v.charts.map((c) => h('div', { class: 'chart-cell' }, chartElement(c, labels), valuesTable(c, w)))),
  );
}

function listSection(id: string, title: string, items: Array<string | HTMLElement>): HTMLElement {
  return section(id, title, h('ul', {}, ...items.map((i) => h('li', {}, i))));
}

export function renderView(root: HTMLElement, v: EvidenceView, w: EvidenceContent): void {
  const criteria = section(
    'criteria',
    v.sections.criteria,
    ...v.tables.map(criteriaBlock),
    v.alternatives.length ? h('div', { class: 'framework' }, h('h3', {}, w.frameworks.alternatives), h('ul', {}, ...v.alternatives.map((a) => h('li', {}, a)))) : null,
  );
  const sources = section(
    'sources',
    v.sections.sources,
    h('h3', {}, w.sources.literature),
    h('ul', {}, ...v.sources.map((s) => h('li', {}, s.url ? h('a', { href: s.url, rel: 'noopener noreferrer', target: '_blank' }, s.label) : s.label))),
    h('h3', {}, w.sources.thresholds),
    h('ul', {}, ...v.citations.map((c) => h('li', {}, c))),
  );
  const provenance = section(
    'provenance',
    w.provenance.heading,
    h('dl', { class: 'versions' }, ...v.provenance.rows.flatMap(([k, val]) => [h('dt', {}, k), h('dd', { 'data-key': k }, val)])),
  );
  root.replaceChildren(
    headerElement(v),
    exposureSection(v),
    trendsSection(v, w),
    criteria,
    listSection('missing', v.sections.missing, v.missing),
    listSection('data-issues', v.sections.dataIssues, v.dataIssues.length ? v.dataIssues.map((i) => `${i.severity}: ${i.text}`) : [w.dataIssues.none]),
    sources,
    provenance,
  );
  root.dataset.digest = v.digest;
}
