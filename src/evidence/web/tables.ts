/** Criterion tables: one <table> per framework, a row per criterion (components indented), state as a badge. */
import type { TableView } from '../view/types';
import { h } from './dom';

export function tableElement(t: TableView, caption = t.title): HTMLElement {
  const head = h('thead', {}, h('tr', {}, ...t.header.map((c) => h('th', { scope: 'col' }, c))));
  const body = h(
    'tbody',
    {},
    ...t.rows.map((r) =>
      h(
        'tr',
        { class: r.depth ? 'component' : undefined, 'data-state': r.state },
        ...r.cells.map((c, i) => (i === 0 ? h('th', { scope: 'row' }, c) : h('td', {}, i === 1 && r.state ? h('span', { class: `state state-${r.state}` }, c) : c))),
      ),
    ),
  );
  return h('div', { class: 'table-wrap' }, h('table', { 'data-table': t.id }, h('caption', {}, caption), head, body));
}

export function criteriaBlock(t: TableView): HTMLElement {
  return h('div', { class: 'framework', 'data-framework': t.id }, h('h3', {}, t.title), ...t.notes.map((n) => h('p', { class: 'note' }, n)), tableElement(t));
}
