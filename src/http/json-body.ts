import express, { type RequestHandler } from 'express';

/** Depth of a parsed JSON value, iteratively (a deep body must not blow the stack while we check it). */
export function jsonDepthExceeds(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (d > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === 'object' && child !== null) stack.push([child, d + 1]);
    }
  }
  return false;
}

/**
 * JSON body parsing with a size cap, a nesting cap, and no prototype pollution: `__proto__` and
 * `constructor.prototype` keys are dropped by the reviver, so a parsed body is plain data.
 */
export function jsonBody(limit: string | number, maxDepth: number): RequestHandler[] {
  return [
    express.json({
      limit,
      type: ['application/json', 'application/fhir+json', 'application/*+json'],
      reviver: (key, value) => (key === '__proto__' ? undefined : value),
    }),
    (req, _res, next) => {
      if (req.body !== undefined && jsonDepthExceeds(req.body, maxDepth)) {
        next(Object.assign(new Error(`request body is nested deeper than ${maxDepth} levels`), { type: 'json.too.deep', status: 400 }));
        return;
      }
      next();
    },
  ];
}
