/** `base` + relative query, keeping base's path (`https://h/fhir` + `Patient/1` → `https://h/fhir/Patient/1`). Pure. */
export function resolveQueryUrl(base: string, query: string): URL {
  const b = base.endsWith('/') ? base : `${base}/`;
  return new URL(query.replace(/^\/+/, ''), b);
}
