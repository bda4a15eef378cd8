/**
 * Hover and keyboard access to the points of a chart. One tooltip element per page. Within a chart the points
 * form a roving tab stop (WAI-ARIA APG): Tab reaches the chart's latest point, the arrow keys move in time,
 * Home and End jump to the first and last; focus and hover show the same text the point's aria-label carries.
 */

export interface Focusable {
  el: SVGElement;
  /** Position for ordering (epoch ms). */
  t: number;
  text: string;
}

let tooltip: HTMLElement | undefined;

function tip(): HTMLElement {
  if (!tooltip || !tooltip.isConnected) {
    tooltip = document.createElement('div');
    tooltip.id = 'hlh-tooltip';
    tooltip.setAttribute('role', 'tooltip');
    tooltip.hidden = true;
    document.body.append(tooltip);
  }
  return tooltip;
}

function showTip(text: string, anchor: Element): void {
  const t = tip();
  t.textContent = text;
  t.hidden = false;
  const r = anchor.getBoundingClientRect();
  const width = t.offsetWidth;
  const left = Math.min(window.scrollX + r.left + r.width / 2 - width / 2, window.scrollX + document.documentElement.clientWidth - width - 8);
  // CSSOM, not a style attribute: allowed by the page's style-src 'self'.
  t.style.left = `${Math.max(window.scrollX + 8, left)}px`;
  t.style.top = `${window.scrollY + r.top - t.offsetHeight - 8}px`;
}

function hideTip(): void {
  if (tooltip) tooltip.hidden = true;
}

/** Makes `items` (SVG shapes already in `svg`) reachable by hover and keyboard. */
export function makeInteractive(svg: SVGSVGElement, items: Focusable[]): void {
  const order = [...items].sort((a, b) => a.t - b.t);
  order.forEach((it, i) => {
    it.el.setAttribute('tabindex', i === order.length - 1 ? '0' : '-1');
    it.el.setAttribute('role', 'img');
    it.el.setAttribute('aria-label', it.text);
    it.el.addEventListener('focus', () => showTip(it.text, it.el));
    it.el.addEventListener('blur', hideTip);
    it.el.addEventListener('pointerenter', () => showTip(it.text, it.el));
    it.el.addEventListener('pointerleave', hideTip);
  });
  svg.addEventListener('keydown', (e) => {
    const i = order.findIndex((it) => it.el === document.activeElement);
    if (i < 0) return;
    const next = e.key === 'ArrowRight' || e.key === 'ArrowUp' ? i + 1 : e.key === 'ArrowLeft' || e.key === 'ArrowDown' ? i - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? order.length - 1 : e.key === 'Escape' ? -2 : undefined;
    if (next === undefined) return;
    e.preventDefault();
    if (next === -2) return hideTip();
    const target = order[Math.max(0, Math.min(order.length - 1, next))]!;
    order[i]!.el.setAttribute('tabindex', '-1');
    target.el.setAttribute('tabindex', '0');
    target.el.focus();
  });
}
