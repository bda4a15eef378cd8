/**
 * Configuration of the evidence view (the SMART on FHIR app a card links to). Part of the service
 * configuration under `evidence` (env EVIDENCE_*); see the README's "Evidence view" section.
 */
import { z } from 'zod';
import { QUERIES } from '../fhir/queries';

const list = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v), z.array(item));

const flag = z.preprocess((v) => {
  const s = typeof v === 'string' ? v.trim().toLowerCase() : v;
  return ['true', '1', 'yes', 'on'].includes(s as string) ? true : ['false', '0', 'no', 'off'].includes(s as string) ? false : v;
}, z.boolean());

/** An origin for a CSP source list: scheme://host[:port], nothing else. */
const origin = z
  .string()
  .refine((s) => /^https?:\/\/[^/?#\s'";,]+$/.test(s.replace(/\/+$/, '')), 'must be an origin such as https://ehr.example.org')
  .transform((s) => s.replace(/\/+$/, ''));

const httpUrl = z.url().refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL');

/**
 * SMART scopes for exactly the resource types the service reads (least privilege): the query list's, and
 * Medication, which the page reads by id for medicationReferences the data cannot resolve (as the service does).
 */
export function defaultScopes(): string {
  const types = new Set<string>(['Medication']);
  for (const q of QUERIES) types.add(q.kind === 'read' || q.kind === 'search' ? q.resourceType : 'Observation');
  return ['launch', ...[...types].sort().map((t) => `patient/${t}.read`)].join(' ');
}

export const evidenceConfigSchema = z
  .object({
    /** Serve the evidence view and put its `smart` link on cards. */
    enabled: flag.default(true),
    /** The SMART launch URL cards link to; default `{publicBaseUrl}/evidence/launch` (no link without either). */
    launchUrl: httpUrl.optional(),
    /** The client id the EHR registered for the evidence view (public client, PKCE). */
    clientId: z.string().min(1).max(200).default('hlh-sentinel-evidence'),
    /** Scopes requested at launch; default: read access to the query list's resource types. */
    scope: z.string().min(1).max(2000).default(defaultScopes),
    /**
     * Origins the page may connect to besides every registered EHR's `fhirServers` (CSP connect-src): SMART
     * authorization servers on another origin (their token endpoint), open FHIR servers for demonstrations.
     */
    connectSrc: list(origin).default([]),
    /** Origins allowed to embed the page in a frame (CSP frame-ancestors); empty = no framing. */
    frameAncestors: list(origin).default([]),
    /** Built page assets (`npm run build` writes dist/evidence). */
    assetsDir: z.string().min(1).optional(),
  })
  .strict();

export type EvidenceConfig = z.infer<typeof evidenceConfigSchema>;

export const EVIDENCE_ENV_KEYS: Record<string, string[]> = {
  EVIDENCE_ENABLED: ['evidence', 'enabled'],
  EVIDENCE_LAUNCH_URL: ['evidence', 'launchUrl'],
  EVIDENCE_CLIENT_ID: ['evidence', 'clientId'],
  EVIDENCE_SCOPE: ['evidence', 'scope'],
  EVIDENCE_CONNECT_SRC: ['evidence', 'connectSrc'],
  EVIDENCE_FRAME_ANCESTORS: ['evidence', 'frameAncestors'],
  EVIDENCE_ASSETS_DIR: ['evidence', 'assetsDir'],
};

/** The launch URL cards link to, or undefined when the view is off or the service's public URL is unknown. */
export function evidenceLaunchUrl(evidence: EvidenceConfig, publicBaseUrl: string | undefined): string | undefined {
  if (!evidence.enabled) return undefined;
  if (evidence.launchUrl) return evidence.launchUrl;
  if (!publicBaseUrl) return undefined;
  return `${publicBaseUrl.replace(/\/+$/, '')}/evidence/launch`;
}
