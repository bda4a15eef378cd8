/**
 * The built page assets (src/evidence/build.ts) read into memory once: each file with its gzip twin, so the
 * page is served compressed without compressing per request.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { MANIFEST, type EvidenceManifest } from './build-manifest';

class EvidenceAssetsError extends Error {
  override name = 'EvidenceAssetsError';
}

interface AssetFile {
  body: Buffer;
  gzip: Buffer;
  type: string;
}

export interface LoadedAssets {
  manifest: EvidenceManifest;
  files: Map<string, AssetFile>;
}

/** dist/evidence: beside dist/src when compiled, under the repository root when run from src/ (ts-jest). */
export function defaultAssetsDir(from: string = __dirname): string {
  const candidates = [path.resolve(from, '../../evidence'), path.resolve(from, '../../dist/evidence')];
  return candidates.find((d) => existsSync(path.join(d, MANIFEST))) ?? candidates[candidates.length - 1]!;
}

const TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

export function loadEvidenceAssets(dir: string = defaultAssetsDir()): LoadedAssets {
  const read = (name: string): Buffer => {
    try {
      return readFileSync(path.join(dir, name));
    } catch {
      throw new EvidenceAssetsError(`evidence view not built: ${path.join(dir, name)} is missing (run npm run build)`);
    }
  };
  let manifest: EvidenceManifest;
  try {
    manifest = JSON.parse(read(MANIFEST).toString('utf8')) as EvidenceManifest;
  } catch (e) {
    throw e instanceof EvidenceAssetsError ? e : new EvidenceAssetsError(`evidence view: ${MANIFEST} in ${dir} is not valid JSON`);
  }
  const files = new Map<string, AssetFile>();
  for (const name of [manifest.js, manifest.css]) {
    if (typeof name !== 'string' || !/^evidence-[A-Z0-9]+\.(js|css)$/.test(name)) throw new EvidenceAssetsError(`evidence view: bad ${MANIFEST} in ${dir}`);
    files.set(name, { body: read(name), gzip: read(`${name}.gz`), type: TYPES[path.extname(name)]! });
  }
  return { manifest, files };
}
