/**
 * The evidence view's HTML: a small shell carrying the page configuration (and, for offline files, the
 * patient's data) as JSON data blocks, plus the built script and stylesheet — linked when the service serves
 * the page, inlined (with a hash-based CSP that forbids any network access) for `evaluate --format html`.
 */
import { createHash } from 'node:crypto';
import type { Knowledge } from '../knowledge';
import { ASSESSMENT_VERSION } from '../criteria/types';
import type { CardContent } from '../render/content';
import { EXTENSION_VERSION } from '../render/extension';
import type { EvidenceContent } from './content';
import type { EvidenceConfig } from '../config/evidence';
import { CONFIG_ELEMENT_ID, DATA_ELEMENT_ID } from './page-ids';
import type { DataSource, PageConfig } from './view/types';

export { CONFIG_ELEMENT_ID, DATA_ELEMENT_ID };

export interface PageConfigInput {
  knowledge: Knowledge;
  /** The site's IANA time zone (default UTC). */
  timeZone?: string;
  cards: CardContent;
  evidence: EvidenceContent;
  queries: Record<string, string>;
  maxPages: number;
  /** Most `Medication/{id}` reads (the service's `fhir.maxMedicationReads`; default 20). */
  maxMedicationReads?: number;
  smart: Pick<EvidenceConfig, 'clientId' | 'scope'>;
  /** The page CSP's connect-src origins (empty for offline files, which connect nowhere). */
  connect?: string[];
}

export function pageConfig(input: PageConfigInput): PageConfig {
  const { dir: _dir, ...cards } = input.cards;
  return {
    versions: { assessment: ASSESSMENT_VERSION, knowledge: input.knowledge.version, content: input.cards.contentVersion, extension: EXTENSION_VERSION },
    knowledge: input.knowledge,
    timeZone: input.timeZone ?? 'UTC',
    cards,
    evidence: input.evidence,
    queries: input.queries,
    fhir: { maxPages: input.maxPages, ...(input.maxMedicationReads !== undefined ? { maxMedicationReads: input.maxMedicationReads } : {}) },
    smart: { clientId: input.smart.clientId, scope: input.smart.scope },
    connect: input.connect ?? [],
  };
}

/** JSON safe inside a <script> data block: no `</script`, no `<!--`, no line separators. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** A script or stylesheet text that cannot close its element early. */
function inlineSafe(text: string, tag: 'script' | 'style'): string {
  return text.replace(new RegExp(`</${tag}`, 'gi'), `<\\/${tag}`).replace(/<!--/g, '<\\!--');
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

export type PageAssets =
  | { kind: 'linked'; js: string; css: string }
  | { kind: 'inline'; js: string; css: string };

export interface RenderedPage {
  html: string;
  /** For inline pages: the Content-Security-Policy the HTML carries in a meta element. */
  csp?: string;
}

/** The HTML page. `data` (offline files only) holds the patient's resources and the asOf to assess at. */
export function renderPage(config: PageConfig, assets: PageAssets, data?: DataSource): RenderedPage {
  const title = escapeHtml(config.evidence.title);
  const blocks = [`<script type="application/json" id="${CONFIG_ELEMENT_ID}">${jsonForScript(config)}</script>`];
  if (data) blocks.push(`<script type="application/json" id="${DATA_ELEMENT_ID}">${jsonForScript(data)}</script>`);
  let head: string;
  let tail = '';
  let csp: string | undefined;
  if (assets.kind === 'linked') {
    head = `<link rel="stylesheet" href="assets/${escapeHtml(assets.css)}">\n<script defer src="assets/${escapeHtml(assets.js)}"></script>`;
  } else {
    const js = inlineSafe(assets.js, 'script');
    const css = inlineSafe(assets.css, 'style');
    csp = `default-src 'none'; script-src ${sha256(js)}; style-src ${sha256(css)}; img-src data:; base-uri 'none'; form-action 'none'`;
    head = `<meta http-equiv="Content-Security-Policy" content="${csp}">\n<style>${css}</style>`;
    tail = `<script>${js}</script>`;
  }
  const html = `<!doctype html>
<html lang="en" data-state="loading">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>${title}</title>
${head}
${blocks.join('\n')}
</head>
<body>
<main id="hlh-evidence"><p class="status" role="status">${escapeHtml(config.evidence.status.loading)}</p></main>
<noscript><p>${title}: JavaScript is required.</p></noscript>
${tail}
</body>
</html>
`;
  return csp ? { html, csp } : { html };
}
