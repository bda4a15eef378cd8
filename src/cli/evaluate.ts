/**
 * What would a clinician see? Runs the real pipeline pieces on a FHIR Bundle, offline or against a running
 * service, and prints the cards as JSON and as readable text.
 *
 *   node dist/src/cli/evaluate.js <bundle.json> [more.json…] [--as-of ISO] [--format text|json|both]
 *   node dist/src/cli/evaluate.js --all examples/patients
 *   node dist/src/cli/evaluate.js <bundle.json> --format html [--out FILE.html|DIR]   (the evidence view, offline)
 *   node dist/src/cli/evaluate.js <bundle.json> --url http://localhost:8080 [--sign dev/keys/issuer-private.jwk.json]
 *
 * --url calls a running service. `--sign KEY` signs a fresh JWT per call with that private JWK (dev-token
 * keys): discovery and the hook each get their own `aud` (the URL called, or below --aud-base) and `jti`.
 * `--bearer JWT` sends one given token to both calls instead (a service that checks `aud` and `jti` refuses
 * one of them). `--fhir-server URL` sends no prefetch: the service fetches the patient from that FHIR server.
 *
 * Options: --patient ID (default: the bundle's Patient), --encounter ID, --knowledge FILE (default
 * $KNOWLEDGE_FILE), --cards DIR (default $CARDS_DIR, else the shipped cards/), --time-zone ZONE (the site's IANA
 * time zone; default $SITE_TIMEZONE, else UTC), --card-detail brief|full (the card's detail; default $CARD_DETAIL,
 * else brief), --evidence-url URL (the evidence view's launch URL: the card links to it as the service's would).
 * asOf: --as-of, else the bundle's hint (meta.extension `…as-of` valueDateTime/valueInstant, meta.tag with
 * code `as-of` or a system ending in `as-of` carrying the instant, else Bundle.timestamp), else now.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { assess } from '../criteria';
import type { Card } from '../hooks/response';
import { loadKnowledge } from '../knowledge/load';
import { renderCards, type CardDetail } from '../render/cards';
import { loadCardContent, type CardContent } from '../render/content';
import { renderCardsText } from '../render/text';
import { buildTimeline, isValidTimeZone } from '../timeline';
import type { Knowledge } from '../knowledge';
import { defaultAssetsDir, loadEvidenceAssets } from '../evidence/assets';
import { offlineEvidenceHtml } from '../evidence/offline';
import { loadEvidenceContent } from '../evidence/content';
import { loadDevKey, mintDevToken } from '../dev/dev-issuer';

export interface CliOptions {
  files: string[];
  all?: string;
  asOf?: string;
  format: 'text' | 'json' | 'both' | 'html';
  /** --format html: output file (one bundle) or directory. */
  out?: string;
  /** --format html: the built evidence view assets (default: dist/evidence, or $EVIDENCE_ASSETS_DIR). */
  assets?: string;
  url?: string;
  bearer?: string;
  sign?: string;
  iss?: string;
  audBase?: string;
  fhirServer?: string;
  patient?: string;
  encounter?: string;
  knowledge?: string;
  cards?: string;
  timeZone?: string;
  /** The card's detail: brief (default) or full. */
  cardDetail?: CardDetail;
  /** The evidence view's launch URL: the card carries its `smart` link, as the service's cards do. */
  evidenceUrl?: string;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

const USAGE = `usage: evaluate <bundle.json>… [--as-of ISO] [--format text|json|both] [--patient ID] [--encounter ID]
       evaluate --all <dir> [same options]
       evaluate <bundle.json>… --format html [--out FILE.html|DIR]   the evidence view as a self-contained HTML file
       evaluate <bundle.json> --url http://localhost:8080 [--sign KEY.jwk.json [--iss ISS] [--aud-base URL] | --bearer JWT]
                [--fhir-server URL]
       [--knowledge FILE] [--cards DIR] [--time-zone ZONE] [--card-detail brief|full] [--evidence-url URL]`;

function cardDetailOption(v: string, name: string): CardDetail {
  if (v !== 'brief' && v !== 'full') throw new UsageError(`${name} must be brief or full, not "${v}"`);
  return v;
}

export function parseArgs(argv: readonly string[]): CliOptions {
  const o: CliOptions = { files: [], format: 'both' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${a} needs a value\n${USAGE}`);
      return v;
    };
    switch (a) {
      case '--as-of':
        o.asOf = next();
        break;
      case '--format': {
        const f = next();
        if (f !== 'text' && f !== 'json' && f !== 'both' && f !== 'html') throw new UsageError(`--format must be text, json, both or html\n${USAGE}`);
        o.format = f;
        break;
      }
      case '--all':
        o.all = next();
        break;
      case '--url':
        o.url = next().replace(/\/+$/, '');
        break;
      case '--bearer':
        o.bearer = next();
        break;
      case '--sign':
        o.sign = next();
        break;
      case '--iss':
        o.iss = next();
        break;
      case '--aud-base':
        o.audBase = next().replace(/\/+$/, '');
        break;
      case '--fhir-server':
        o.fhirServer = next();
        break;
      case '--patient':
        o.patient = next();
        break;
      case '--encounter':
        o.encounter = next();
        break;
      case '--knowledge':
        o.knowledge = next();
        break;
      case '--cards':
        o.cards = next();
        break;
      case '--out':
        o.out = next();
        break;
      case '--assets':
        o.assets = next();
        break;
      case '--time-zone':
        o.timeZone = next();
        break;
      case '--evidence-url': {
        const u = next();
        if (!/^https?:\/\/\S+$/.test(u)) throw new UsageError(`--evidence-url must be an http(s) URL, not "${u}"`);
        o.evidenceUrl = u;
        break;
      }
      case '--card-detail':
        o.cardDetail = cardDetailOption(next(), '--card-detail');
        break;
      case '-h':
      case '--help':
        throw new UsageError(USAGE);
      default:
        if (a.startsWith('--')) throw new UsageError(`unknown option ${a}\n${USAGE}`);
        o.files.push(a);
    }
  }
  if (o.asOf !== undefined && Number.isNaN(Date.parse(o.asOf))) throw new UsageError(`--as-of: not an ISO date-time: ${o.asOf}`);
  if (o.timeZone !== undefined && !isValidTimeZone(o.timeZone)) throw new UsageError(`--time-zone: not a known time zone: ${o.timeZone}`);
  if (!o.files.length && !o.all) throw new UsageError(USAGE);
  if (o.format === 'html' && o.url) throw new UsageError(`--format html is offline only (no --url)\n${USAGE}`);
  if (o.format !== 'html' && (o.out || o.assets)) throw new UsageError(`--out and --assets go with --format html\n${USAGE}`);
  if (o.sign && o.bearer) throw new UsageError(`--sign and --bearer are mutually exclusive\n${USAGE}`);
  if ((o.sign || o.bearer || o.fhirServer || o.audBase) && !o.url) throw new UsageError(`--sign, --bearer, --aud-base and --fhir-server need --url\n${USAGE}`);
  return o;
}

// ------------------------------------------------------------------------------------------------ bundles

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export function readBundle(file: string): Json {
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`${file}: ${(e as Error).message}`);
  }
  if (!isObj(v) || typeof v.resourceType !== 'string') throw new UsageError(`${file}: not a FHIR resource`);
  return v;
}

export function entriesOf(bundle: Json): Json[] {
  if (bundle.resourceType !== 'Bundle') return [bundle];
  const entries = Array.isArray(bundle.entry) ? bundle.entry : [];
  return entries.map((e) => (isObj(e) ? e.resource : undefined)).filter(isObj);
}

/** The asOf the bundle was written for (see the file header), or undefined. */
export function asOfHint(bundle: Json): string | undefined {
  const meta = isObj(bundle.meta) ? bundle.meta : {};
  const valid = (s: unknown): s is string => typeof s === 'string' && !Number.isNaN(Date.parse(s));
  for (const ext of Array.isArray(meta.extension) ? meta.extension : []) {
    if (isObj(ext) && typeof ext.url === 'string' && /as-?of$/i.test(ext.url)) {
      const v = ext.valueDateTime ?? ext.valueInstant ?? ext.valueString;
      if (valid(v)) return v;
    }
  }
  for (const tag of Array.isArray(meta.tag) ? meta.tag : []) {
    if (!isObj(tag)) continue;
    if (tag.code === 'as-of' || tag.code === 'asOf') {
      if (valid(tag.display)) return tag.display;
    }
    if (typeof tag.system === 'string' && /as-?of$/i.test(tag.system) && valid(tag.code)) return tag.code;
  }
  if (valid(bundle.timestamp)) return bundle.timestamp;
  return undefined;
}

function patientIdOf(resources: Json[]): string | undefined {
  const p = resources.find((r) => r.resourceType === 'Patient');
  return typeof p?.id === 'string' ? p.id : undefined;
}

function encounterIdOf(resources: Json[]): string | undefined {
  const e = resources.find((r) => r.resourceType === 'Encounter');
  return typeof e?.id === 'string' ? e.id : undefined;
}

// ------------------------------------------------------------------------------------------------ offline

export interface Evaluated {
  file: string;
  patientId: string;
  asOf: string;
  asOfFrom: 'option' | 'bundle' | 'now';
  cards: Card[];
}

export function evaluateBundle(
  file: string,
  bundle: Json,
  opts: Pick<CliOptions, 'asOf' | 'patient' | 'encounter' | 'timeZone' | 'cardDetail'> & { evidenceLink?: { url: string; label: string } },
  knowledge: Knowledge,
  content: CardContent,
  now: () => Date = () => new Date(),
): Evaluated {
  const resources = entriesOf(bundle);
  const patientId = opts.patient ?? patientIdOf(resources);
  if (!patientId) throw new UsageError(`${file}: no Patient in the bundle; pass --patient ID`);
  const hint = asOfHint(bundle);
  const asOf = opts.asOf ?? hint ?? now().toISOString();
  const timeZone = opts.timeZone ?? 'UTC';
  const timeline = buildTimeline([bundle], knowledge, { patientId, timeZone });
  const assessment = assess(timeline, asOf, knowledge, { timeZone });
  const encounterId = opts.encounter ?? encounterIdOf(resources);
  const ctx = { patientId, ...(encounterId ? { encounterId } : {}), detail: opts.cardDetail ?? 'brief', ...(opts.evidenceLink ? { evidenceLink: opts.evidenceLink } : {}) };
  const cards = renderCards(assessment, ctx, content);
  return { file, patientId, asOf, asOfFrom: opts.asOf ? 'option' : hint ? 'bundle' : 'now', cards };
}

// ------------------------------------------------------------------------------------------------ service

interface ServiceDoc {
  id: string;
  hook: string;
  prefetch?: Record<string, string>;
}

/**
 * Splits a bundle into the service's prefetch keys as an EHR would answer the discovery templates: the Patient read
 * gets the Patient (or null); each search key gets a searchset Bundle of the resources of its type; an Observation
 * goes to the first key whose `code=` tokens match its code, or whose `combo-code=` tokens match its code or one of
 * its components' codes (as a FHIR server evaluates those parameters). An Observation no template matches is left
 * out (the EHR's searches would not return it). A key with nothing gets an empty Bundle ("searched, nothing
 * found"), never omitted (that would make the service fetch or answer 412).
 */
export function toPrefetch(resources: Json[], templates: Record<string, string>): Record<string, Json | null> {
  const keys = Object.entries(templates).map(([key, t]) => {
    const m = /^([A-Za-z]+)([/?])(.*)$/.exec(t);
    const type = m?.[1] ?? '';
    const read = m?.[2] === '/';
    const param = /(?:^|&)(code|combo-code)=([^&]*)/.exec(m?.[3] ?? '');
    const tokens = new Set((param?.[2] ? decodeURIComponent(param[2]).split(',') : []).filter(Boolean));
    return { key, type, read, tokens, components: param?.[1] === 'combo-code' };
  });
  const out: Record<string, Json | null> = {};
  const buckets = new Map<string, Json[]>();
  for (const k of keys) {
    if (k.read) out[k.key] = resources.find((r) => r.resourceType === k.type) ?? null;
    else buckets.set(k.key, []);
  }
  const obsKeys = keys.filter((k) => !k.read && k.type === 'Observation');
  const tokensOf = (concepts: unknown[]) =>
    concepts
      .flatMap((cc) => (isObj(cc) && Array.isArray(cc.coding) ? cc.coding : []))
      .filter(isObj)
      .map((c) => `${String(c.system)}|${String(c.code)}`);
  for (const r of resources) {
    if (r.resourceType === 'Observation') {
      const own = tokensOf([r.code]);
      const parts = tokensOf(Array.isArray(r.component) ? r.component.map((c) => (isObj(c) ? c.code : undefined)) : []);
      const target = obsKeys.find((k) => own.some((c) => k.tokens.has(c)) || (k.components && parts.some((c) => k.tokens.has(c))));
      if (target) buckets.get(target.key)!.push(r);
      continue;
    }
    const target = keys.find((k) => !k.read && k.type === r.resourceType);
    if (target) buckets.get(target.key)!.push(r);
  }
  for (const [key, list] of buckets) {
    out[key] = { resourceType: 'Bundle', type: 'searchset', total: list.length, ...(list.length ? { entry: list.map((resource) => ({ resource })) } : {}) };
  }
  return out;
}

/** Headers for one call to `path`: a fresh signed token (--sign), the given one (--bearer), or none. */
export async function callHeaders(opts: CliOptions, path: string): Promise<Record<string, string>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (opts.sign) {
    const key = await loadDevKey(opts.sign);
    const aud = `${opts.audBase ?? opts.url!}${path}`;
    headers.authorization = `Bearer ${await mintDevToken(key, { aud, ...(opts.iss ? { iss: opts.iss } : {}) })}`;
  } else if (opts.bearer) headers.authorization = `Bearer ${opts.bearer}`;
  return headers;
}

export async function evaluateRemote(file: string, bundle: Json, opts: CliOptions): Promise<Evaluated> {
  const base = opts.url!;
  const disc = await fetch(`${base}/cds-services`, { headers: await callHeaders(opts, '/cds-services') });
  if (!disc.ok) throw new Error(`GET ${base}/cds-services → ${disc.status}`);
  const services = ((await disc.json()) as { services?: ServiceDoc[] }).services ?? [];
  const service = services.find((s) => s.id === 'hlh-screen') ?? services[0];
  if (!service) throw new Error(`${base}/cds-services lists no service`);
  const resources = entriesOf(bundle);
  const patientId = opts.patient ?? patientIdOf(resources);
  if (!patientId) throw new UsageError(`${file}: no Patient in the bundle; pass --patient ID`);
  const encounterId = opts.encounter ?? encounterIdOf(resources);
  const body = {
    hook: service.hook,
    hookInstance: randomUUID(),
    context: { userId: 'Practitioner/evaluate-cli', patientId, ...(encounterId ? { encounterId } : {}) },
    ...(opts.fhirServer ? { fhirServer: opts.fhirServer } : { prefetch: toPrefetch(resources, service.prefetch ?? {}) }),
  };
  const servicePath = `/cds-services/${encodeURIComponent(service.id)}`;
  const res = await fetch(`${base}${servicePath}`, {
    method: 'POST',
    headers: { ...(await callHeaders(opts, servicePath)), 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`POST ${base}/cds-services/${service.id} → ${res.status}: ${text.slice(0, 2000)}`);
  const cards = (JSON.parse(text) as { cards?: Card[] }).cards ?? [];
  return { file, patientId, asOf: 'service clock', asOfFrom: 'now', cards };
}

// ------------------------------------------------------------------------------------------------ main

function listBundles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => path.join(dir, f))
    .filter((f) => statSync(f).isFile());
}

export function formatResult(r: Evaluated, format: CliOptions['format']): string {
  const head = `=== ${r.file} · patient ${r.patientId} · asOf ${r.asOf} (${r.asOfFrom}) · ${r.cards.length} card(s)`;
  const parts = [head];
  if (format !== 'text') parts.push(JSON.stringify({ cards: r.cards }, null, 2));
  if (format !== 'json') parts.push(renderCardsText(r.cards));
  return parts.join('\n\n');
}

/** Where `--format html` writes the view of `file`: `--out` itself when it names one .html file, else a folder. */
export function htmlPath(file: string, opts: Pick<CliOptions, 'out'>, count: number): string {
  const out = opts.out ?? '.';
  if (out.endsWith('.html')) {
    if (count > 1) throw new UsageError('--out FILE.html takes one bundle; give a directory for several');
    return out;
  }
  return path.join(out, `${path.basename(file, '.json')}.evidence.html`);
}

function writeHtml(files: string[], opts: CliOptions, knowledge: Knowledge, content: CardContent, out: (s: string) => void): void {
  const assets = loadEvidenceAssets(opts.assets ?? process.env.EVIDENCE_ASSETS_DIR ?? defaultAssetsDir());
  for (const file of files) {
    const bundle = readBundle(file);
    const r = evaluateBundle(file, bundle, opts, knowledge, content);
    const html = offlineEvidenceHtml({ file: path.basename(file), patientId: r.patientId, asOf: r.asOf, resources: [bundle], knowledge, ...(opts.timeZone ? { timeZone: opts.timeZone } : {}), cards: content, assets });
    const target = htmlPath(file, opts, files.length);
    mkdirSync(path.dirname(path.resolve(target)), { recursive: true });
    writeFileSync(target, html);
    out(`${target}: evidence view of ${file} · patient ${r.patientId} · asOf ${r.asOf} (${r.asOfFrom}) · ${Math.round(html.length / 1024)} KiB`);
  }
}

export async function main(argv: readonly string[], out: (s: string) => void = (s) => process.stdout.write(`${s}\n`)): Promise<number> {
  const opts = parseArgs(argv);
  const files = [...opts.files, ...(opts.all ? listBundles(opts.all) : [])];
  if (!files.length) throw new UsageError(`no .json bundles found in ${opts.all}`);
  if (opts.url) {
    for (const file of files) out(formatResult(await evaluateRemote(file, readBundle(file), opts), opts.format));
    return 0;
  }
  const knowledge = loadKnowledge(opts.knowledge ?? process.env.KNOWLEDGE_FILE);
  const content = loadCardContent(opts.cards ?? process.env.CARDS_DIR);
  const timeZone = opts.timeZone ?? (process.env.SITE_TIMEZONE || undefined);
  if (timeZone !== undefined && !isValidTimeZone(timeZone)) throw new UsageError(`SITE_TIMEZONE: not a known time zone: ${timeZone}`);
  const cardDetail = opts.cardDetail ?? (process.env.CARD_DETAIL ? cardDetailOption(process.env.CARD_DETAIL, 'CARD_DETAIL') : 'brief');
  const evidenceLink = opts.evidenceUrl ? { url: opts.evidenceUrl, label: loadEvidenceContent(opts.cards ?? process.env.CARDS_DIR).linkLabel } : undefined;
  const withZone = { ...opts, cardDetail, ...(timeZone !== undefined ? { timeZone } : {}), ...(evidenceLink ? { evidenceLink } : {}) };
  if (opts.format === 'html') {
    writeHtml(files, withZone, knowledge, content, out);
    return 0;
  }
  for (const file of files) out(formatResult(evaluateBundle(file, readBundle(file), withZone, knowledge, content), opts.format));
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(e instanceof UsageError ? 2 : 1);
    },
  );
}
