/**
 * The service's route templates, in OpenAPI form (`{id}`). Metrics and the access log label requests with
 * these (a bounded set, never a raw path that could carry an identifier); the OpenAPI description
 * (src/http/openapi.ts) documents exactly these, and a test holds both to the routes Express serves.
 */
export const ROUTES = {
  discovery: '/cds-services',
  service: '/cds-services/{id}',
  feedback: '/cds-services/{id}/feedback',
  health: '/healthz',
  readiness: '/readyz',
  metrics: '/metrics',
  openapi: '/openapi.json',
  // The evidence view (src/evidence): the page before the bare path, so `/evidence/` is labelled as the page.
  evidencePage: '/evidence/',
  evidenceLaunch: '/evidence/launch',
  evidenceAsset: '/evidence/assets/{name}',
  evidenceRedirect: '/evidence',
} as const;

export type RouteTemplate = (typeof ROUTES)[keyof typeof ROUTES];

/** Label for a request that matches no route. */
export const OTHER_ROUTE = 'other';

const MATCHERS: Array<[RegExp, RouteTemplate]> = Object.values(ROUTES).map((template) => [
  new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}/?$`),
  template,
]);

/** The route template a request path (no query string) belongs to, or `other`. */
export function routeTemplate(path: string): RouteTemplate | typeof OTHER_ROUTE {
  for (const [re, template] of MATCHERS) if (re.test(path)) return template;
  return OTHER_ROUTE;
}

/** The path part of a request URL (`/a/b?x=1` → `/a/b`). */
export function pathOf(url: string | undefined): string {
  const u = url ?? '/';
  const q = u.indexOf('?');
  return q === -1 ? u : u.slice(0, q);
}
