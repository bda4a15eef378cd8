/**
 * `evaluate --format html`: the evidence view as one self-contained HTML file. The page's script and styles
 * are inlined and the patient's resources embedded; the browser runs the same bundled engine as the served
 * page. The file's CSP (script and style hashes, no connect-src) lets it make no network request at all.
 */
import { configSchema } from '../config/schema';
import type { Knowledge } from '../knowledge';
import type { CardContent } from '../render/content';
import type { LoadedAssets } from './assets';
import { loadEvidenceContent } from './content';
import { pageConfig, renderPage } from './page';

export interface OfflineInput {
  /** Shown on the page as where the data came from (the bundle's file name). */
  file: string;
  patientId: string;
  asOf: string;
  /** FHIR resources or Bundles, as read. */
  resources: unknown[];
  knowledge: Knowledge;
  /** The site's IANA time zone (default UTC), as the hook uses it. */
  timeZone?: string;
  cards: CardContent;
  assets: LoadedAssets;
}

export function offlineEvidenceHtml(input: OfflineInput): string {
  const defaults = configSchema.parse({});
  const config = pageConfig({
    knowledge: input.knowledge,
    ...(input.timeZone ? { timeZone: input.timeZone } : {}),
    cards: input.cards,
    evidence: loadEvidenceContent(input.cards.dir),
    queries: {},
    maxPages: defaults.fhir.maxPages,
    smart: defaults.evidence,
  });
  const file = (name: string) => input.assets.files.get(name)!.body.toString('utf8');
  const data = { mode: 'offline' as const, server: input.file, patientId: input.patientId, resources: input.resources, issues: [], asOf: input.asOf, asOfFrom: 'file' as const };
  return renderPage(config, { kind: 'inline', js: file(input.assets.manifest.js), css: file(input.assets.manifest.css) }, data).html;
}
