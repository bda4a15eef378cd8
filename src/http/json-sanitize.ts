/** Depth and `__proto__` checks on parsed JSON, without Express (the evaluation workers use them). */

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * One iterative walk over a parsed JSON value: drops every own `__proto__` key (before looking inside it,
 * exactly what the former JSON.parse reviver did) and returns true when the value is nested deeper than
 * `max` levels. Replaces `JSON.parse(text, reviver)` + a separate depth walk: a reviver makes V8 call back
 * into JS for every value (≈ 4× the parse time: 22 ms instead of ≈ 5 ms for a 537 KiB prefetch).
 */
export function sanitizeJson(value: unknown, max: number): boolean {
  const values: unknown[] = [value];
  const depths: number[] = [1];
  while (values.length) {
    const v = values.pop();
    const d = depths.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (d > max) return true;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const child: unknown = v[i];
        if (typeof child === 'object' && child !== null) {
          values.push(child);
          depths.push(d + 1);
        }
      }
      continue;
    }
    const o = v as Record<string, unknown>;
    if (hasOwn.call(o, '__proto__')) delete o['__proto__'];
    for (const key in o) {
      if (!hasOwn.call(o, key)) continue;
      const child = o[key];
      if (typeof child === 'object' && child !== null) {
        values.push(child);
        depths.push(d + 1);
      }
    }
  }
  return false;
}
