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
import { parseCommandLine, runCli, UsageError } from './cli-run';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Card } from '../hooks/response';
import { loadKnowledge } from '../knowledge/load';
import { createEvaluator } from '../pipeline/evaluate';
import type { CardDetail } from '../render/cards';
import { loadCardContent, type CardContent } from '../render/content';
import { renderCardsText } from '../render/text';
import { isValidTimeZone } from '../timeline';
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

export { UsageError } from './cli-run';

const USAGE = `usage: evaluate <bundle.json>… [--as-of ISO] [--format text|json|both] [--patient ID] [--encounter ID]
       evaluate --all <dir> [same options]
       evaluate <bundle.json>… --format html [--out FILE.html|DIR]   the evidence view as a self-contained HTML file
       evaluate <bundle.json> --url http://localhost:8080 [--sign KEY.jwk.json [--iss ISS] [--aud-base URL] | --bearer JWT]
                [--fhir-server URL]
       [--knowledge FILE] [--cards DIR] [--time-zone ZONE] [--card-detail brief|full] [--evidence-url URL]

--format json prints one JSON array (one entry per bundle: file, patientId, asOf, asOfFrom, cards) and nothing else.`;

const OPTIONS = {
  'as-of': { type: 'string' },
  format: { type: 'string' },
  all: { type: 'string' },
  url: { type: 'string' },
  bearer: { type: 'string' },
  sign: { type: 'string' },
  iss: { type: 'string' },
  'aud-base': { type: 'string' },
  'fhir-server': { type: 'string' },
  patient: { type: 'string' },
  encounter: { type: 'string' },
  knowledge: { type: 'string' },
  cards: { type: 'string' },
  out: { type: 'string' },
  assets: { type: 'string' },
  'time-zone': { type: 'string' },
  'card-detail': { type: 'string' },
  'evidence-url': { type: 'string' },
} as const;

function cardDetailOption(v: string, name: string): CardDetail {
  if (v !== 'brief' && v !== 'full') throw new UsageError(`${name} must be brief or full, not "${v}"`);
  return v;
}

const FORMATS = ['text', 'json', 'both', 'html'] as const;
const isFormat = (f: string): f is CliOptions['format'] => (FORMATS as readonly string[]).includes(f);

/** Option name → CliOptions field, for the options whose value is kept as given. */
const FIELDS = { all: 'all', bearer: 'bearer', sign: 'sign', iss: 'iss', 'fhir-server': 'fhirServer', patient: 'patient', encounter: 'encounter', knowledge: 'knowledge', cards: 'cards', out: 'out', assets: 'assets', 'time-zone': 'timeZone', 'as-of': 'asOf' } as const;

export function parseArgs(argv: readonly string[]): CliOptions {
  const { values, positionals } = parseCommandLine(argv, OPTIONS, USAGE);
  const o: CliOptions = { files: positionals, format: 'both' };
  for (const [option, field] of Object.entries(FIELDS) as [keyof typeof FIELDS, (typeof FIELDS)[keyof typeof FIELDS]][]) {
    const v = values[option];
    if (v !== undefined) o[field] = v;
  }
  if (values.url !== undefined) o.url = values.url.replace(/\/+$/, '');
  if (values['aud-base'] !== undefined) o.audBase = values['aud-base'].replace(/\/+$/, '');
  if (values.format !== undefined) {
    if (!isFormat(values.format)) throw new UsageError(`--format must be text, json, both or html\n${USAGE}`);
    o.format = values.format;
  }
  if (values['card-detail'] !== undefined) o.cardDetail = cardDetailOption(values['card-detail'], '--card-detail');
  if (values['evidence-url'] !== undefined) {
    if (!/^https?:\/\/\S+$/.test(values['evidence-url'])) throw new UsageError(`--evidence-url must be an http(s) URL, not "${values['evidence-url']}"`);
    o.evidenceUrl = values['evidence-url'];
  }
  checkCombinations(o);
  return o;
}

function checkCombinations(o: CliOptions): void {
  if (o.asOf !== undefined && Number.isNaN(Date.parse(o.asOf))) throw new UsageError(`--as-of: not an ISO date-time: ${o.asOf}`);
  if (o.timeZone !== undefined && !isValidTimeZone(o.timeZone)) throw new UsageError(`--time-zone: not a known time zone: ${o.timeZone}`);
  if (!o.files.length && !o.all) throw new UsageError(USAGE);
  if (o.format === 'html' && o.url) throw new UsageError(`--format html is offline only (no --url)\n${USAGE}`);
  if (o.format !== 'html' && (o.out || o.assets)) throw new UsageError(`--out and --assets go with --format html\n${USAGE}`);
  if (o.sign && o.bearer) throw new UsageError(`--sign and --bearer are mutually exclusive\n${USAGE}`);
  if ((o.sign || o.bearer || o.fhirServer || o.audBase) && !o.url) throw new UsageError(`--sign, --bearer, --aud-base and --fhir-server need --url\n${USAGE}`);
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

/** The user a CLI evaluation is made for (the hook's context.userId). */
const CLI_USER = 'Practitioner/evaluate-cli';

export interface Evaluated {
  file: string;
  patientId: string;
  asOf: string;
  asOfFrom: 'option' | 'bundle' | 'now';
  cards: Card[];
}

type Evaluator = ReturnType<typeof createEvaluator>;
type Rendering = { timeZone: string; detail: CardDetail; evidenceLink?: { url: string; label: string } };
const evaluators = new WeakMap<Knowledge, WeakMap<CardContent, Map<string, Evaluator>>>();

/** The service's own pipeline (createEvaluator), built once per knowledge base, content and rendering options. */
function evaluatorFor(knowledge: Knowledge, content: CardContent, rendering: Rendering): Evaluator {
  const byContent = evaluators.get(knowledge) ?? new WeakMap<CardContent, Map<string, Evaluator>>();
  evaluators.set(knowledge, byContent);
  const byRendering = byContent.get(content) ?? new Map<string, Evaluator>();
  byContent.set(content, byRendering);
  const key = JSON.stringify(rendering);
  let evaluate = byRendering.get(key);
  if (!evaluate) byRendering.set(key, (evaluate = createEvaluator({ knowledge, content, ...rendering })));
  return evaluate;
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
  const encounterId = opts.encounter ?? encounterIdOf(resources);
  const evaluate = evaluatorFor(knowledge, content, { timeZone: opts.timeZone ?? 'UTC', detail: opts.cardDetail ?? 'brief', ...(opts.evidenceLink ? { evidenceLink: opts.evidenceLink } : {}) });
  const { cards } = evaluate(
    { resources: [bundle], issues: [] },
    { patientId, userId: CLI_USER, ...(encounterId ? { encounterId } : {}), now: new Date(asOf) },
  );
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
    context: { userId: CLI_USER, patientId, ...(encounterId ? { encounterId } : {}) },
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

export function formatResult(r: Evaluated, format: 'text' | 'both'): string {
  const head = `=== ${r.file} · patient ${r.patientId} · asOf ${r.asOf} (${r.asOfFrom}) · ${r.cards.length} card(s)`;
  const parts = [head];
  if (format === 'both') parts.push(JSON.stringify({ cards: r.cards }, null, 2));
  parts.push(renderCardsText(r.cards));
  return parts.join('\n\n');
}

/** Prints the results: `json` as one JSON document and nothing else (a script can pipe it), else text per bundle. */
function print(results: Evaluated[], format: 'text' | 'json' | 'both', out: (s: string) => void): void {
  if (format === 'json') out(JSON.stringify(results, null, 2));
  else for (const r of results) out(formatResult(r, format));
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
    const results: Evaluated[] = [];
    for (const file of files) results.push(await evaluateRemote(file, readBundle(file), opts));
    print(results, opts.format as 'text' | 'json' | 'both', out);
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
  print(files.map((file) => evaluateBundle(file, readBundle(file), withZone, knowledge, content)), opts.format, out);
  return 0;
}

if (require.main === module) runCli('evaluate', main);
