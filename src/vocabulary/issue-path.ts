/**
 * Where in a validated document a problem is, as one dotted name (`analytes.ferritin.codes[0].code`): the
 * OperationOutcome `expression` of a bad request and the message of a bad configuration or content file.
 * Takes a zod issue path without importing zod (the evidence page's browser bundle must not load it).
 */
export function issuePath(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`))
    .join('');
}
