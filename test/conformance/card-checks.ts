/**
 * The "Cards" and "Transport and JSON" rows of cds-hooks-conformance.md as one function: every violation
 * a CDS Hooks response body has, as readable strings (an empty list means conformant).
 */
import { cardsResponseSchema, ownCardSchema } from '../../src/hooks/response';
import { parseAppContext } from '../../src/render/app-context';
import { emptyValues, extensionsIn, REVERSE_DNS_KEY } from './support';

/**
 * Members of the service's own extension contract (`org.hlh-sentinel.assessment`, src/render/extension.ts)
 * that are REQUIRED lists there, so `[]` is a value ("none"), not an optional field sent empty. The spec's
 * omit-if-empty rule is about optional fields; nothing else is exempt, and only as an empty array.
 */
const REQUIRED_EXTENSION_LISTS = /\.extension\.org\.hlh-sentinel\.assessment\.(criteria\.hscore\.missing|missingWorkup|criteria\.astct-iec-hs\.features)$/;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function isAbsoluteHttpUrl(s: unknown): boolean {
  if (typeof s !== 'string') return false;
  try {
    const u = new URL(s);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

type Obj = Record<string, unknown>;
const asObj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const asArr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Violations of one card (as sent on the wire, i.e. JSON-parsed). */
export function cardViolations(card: unknown, where = 'card'): string[] {
  const out: string[] = [];
  const c = asObj(card);
  const own = ownCardSchema.safeParse(card);
  if (!own.success) out.push(`${where}: schema: ${own.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
  for (const e of emptyValues(card, where)) {
    if (e.kind === 'empty array' && REQUIRED_EXTENSION_LISTS.test(e.path)) continue;
    out.push(`${e.path}: ${e.kind} (omit optional fields instead)`);
  }

  if (typeof c.summary !== 'string' || c.summary.length >= 140) out.push(`${where}.summary: must be a string under 140 characters`);
  else if (/[\r\n]/.test(c.summary)) out.push(`${where}.summary: must be one line`);
  if (!['info', 'warning', 'critical'].includes(c.indicator as string)) out.push(`${where}.indicator: ${String(c.indicator)}`);
  if (typeof c.uuid !== 'string' || !UUID.test(c.uuid)) out.push(`${where}.uuid: missing or not a UUID`);

  const source = asObj(c.source);
  if (typeof source.label !== 'string' || source.label === '') out.push(`${where}.source.label: required`);
  if ('url' in source && !isAbsoluteHttpUrl(source.url)) out.push(`${where}.source.url: not an absolute URL`);
  if ('icon' in source && !(isAbsoluteHttpUrl(source.icon) && /^https?:/.test(String(source.icon)))) out.push(`${where}.source.icon: not an absolute URL`);
  if ('topic' in source && typeof asObj(source.topic).code !== 'string') out.push(`${where}.source.topic: a Coding needs a code`);

  const suggestions = asArr(c.suggestions);
  if ('suggestions' in c && !['at-most-one', 'any'].includes(c.selectionBehavior as string)) {
    out.push(`${where}.selectionBehavior: required (at-most-one | any) when suggestions are present`);
  }
  suggestions.forEach((s, i) => {
    const so = asObj(s);
    const sw = `${where}.suggestions[${i}]`;
    if (typeof so.label !== 'string' || so.label === '') out.push(`${sw}.label: required`);
    if (typeof so.uuid !== 'string' || !UUID.test(so.uuid)) out.push(`${sw}.uuid: missing or not a UUID`);
    if ('isRecommended' in so && typeof so.isRecommended !== 'boolean') out.push(`${sw}.isRecommended: must be boolean`);
    asArr(so.actions).forEach((a, j) => {
      const ao = asObj(a);
      const aw = `${sw}.actions[${j}]`;
      if (!['create', 'update', 'delete'].includes(ao.type as string)) out.push(`${aw}.type: ${String(ao.type)}`);
      if (typeof ao.description !== 'string' || ao.description === '') out.push(`${aw}.description: required`);
      if (ao.type === 'create' || ao.type === 'update') {
        const r = asObj(ao.resource);
        if (typeof r.resourceType !== 'string') out.push(`${aw}.resource: a JSON FHIR resource is required for ${String(ao.type)}`);
      }
      if (ao.type === 'delete' && typeof ao.resourceId !== 'string') out.push(`${aw}.resourceId: required for delete`);
    });
  });

  asArr(c.overrideReasons).forEach((r, i) => {
    const ro = asObj(r);
    for (const f of ['system', 'code', 'display']) {
      if (typeof ro[f] !== 'string' || ro[f] === '') out.push(`${where}.overrideReasons[${i}].${f}: required`);
    }
  });

  asArr(c.links).forEach((l, i) => {
    const lo = asObj(l);
    const lw = `${where}.links[${i}]`;
    if (typeof lo.label !== 'string' || lo.label === '') out.push(`${lw}.label: required`);
    if (!isAbsoluteHttpUrl(lo.url)) out.push(`${lw}.url: not an absolute URL`);
    // Sources are absolute links; the evidence view is a smart link. appContext is for smart links only, and
    // this service's own app context must be one the evidence view can read (src/render/app-context.ts).
    if (lo.type !== 'absolute' && lo.type !== 'smart') out.push(`${lw}.type: ${String(lo.type)} (absolute or smart only)`);
    if ('appContext' in lo && lo.type !== 'smart') out.push(`${lw}.appContext: only allowed on smart links`);
    if (lo.type === 'smart' && !parseAppContext(lo.appContext)) out.push(`${lw}.appContext: not an evidence view app context`);
  });

  for (const { path, extension } of extensionsIn(card, where)) {
    for (const key of Object.keys(extension)) {
      if (!REVERSE_DNS_KEY.test(key)) out.push(`${path}: key "${key}" is not reverse-DNS style`);
    }
  }
  return out;
}

/** Violations of a whole `POST /cds-services/{id}` 200 body. */
export function responseViolations(body: unknown): string[] {
  const out: string[] = [];
  const parsed = cardsResponseSchema.safeParse(body);
  if (!parsed.success) out.push(`response: schema: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
  const b = asObj(body);
  const keys = Object.keys(b).filter((k) => k !== 'cards' && k !== 'systemActions' && k !== 'extension');
  if (keys.length) out.push(`response: unexpected top-level members ${keys.join(', ')}`);
  if ('systemActions' in b && asArr(b.systemActions).length === 0) out.push('response.systemActions: sent empty (omit it)');
  if (!Array.isArray(b.cards)) out.push('response.cards: required (use [] when there is nothing to say)');
  asArr(b.cards).forEach((c, i) => out.push(...cardViolations(c, `cards[${i}]`)));
  return out;
}

/** Every card uuid and suggestion uuid in the bodies, in order. */
export function allUuids(bodies: unknown[]): string[] {
  return bodies.flatMap((b) =>
    asArr(asObj(b).cards).flatMap((c) => [asObj(c).uuid, ...asArr(asObj(c).suggestions).map((s) => asObj(s).uuid)]).map(String),
  );
}
