/** What `npm run build` writes beside the evidence view's assets (shared by the build and the server). */
export interface EvidenceManifest {
  js: string;
  css: string;
  /** Bytes of each file as served: raw and gzip (what a browser transfers). */
  bytes: Record<string, { raw: number; gzip: number }>;
}

export const MANIFEST = 'manifest.json';
