/**
 * The `smart` link cards carry to the evidence view. Its own module: evaluation workers build cards with it and
 * must not load the view's Express router.
 */
import type { Config } from '../config/schema';
import { evidenceLaunchUrl } from '../config/evidence';
import { loadEvidenceContent } from './content';

/** The link, or nothing when the view is off or the service's public URL is not configured. */
export function evidenceCardLink(config: Config): { evidenceLink?: { url: string; label: string } } {
  const url = evidenceLaunchUrl(config.evidence, config.security.publicBaseUrl);
  return url ? { evidenceLink: { url, label: loadEvidenceContent(config.cardsDir).linkLabel } } : {};
}
