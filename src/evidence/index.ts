/**
 * The evidence view: a SMART on FHIR app, served by this service, that shows a card's full evidence — every
 * criterion, trend charts, the exposure timeline — computed in the browser by the same engine and knowledge.
 * `evidenceRouter` serves it; `evidenceCardLink` is what cards link to.
 */
import type { Config } from '../config/schema';
import { evidenceLaunchUrl } from './config';
import { loadEvidenceContent } from './content';

export { evidenceRouter } from './router';

/** The `smart` link cards carry, or nothing when the view is off or the service's public URL is not configured. */
export function evidenceCardLink(config: Config): { evidenceLink?: { url: string; label: string } } {
  const url = evidenceLaunchUrl(config.evidence, config.security.publicBaseUrl);
  return url ? { evidenceLink: { url, label: loadEvidenceContent(config.cardsDir).linkLabel } } : {};
}
