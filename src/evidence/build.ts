/**
 * Builds the evidence view's browser assets with esbuild: one script (the page, the engine — src/timeline and
 * src/criteria, unchanged — fhirclient and Observable Plot) and one stylesheet, content-hashed, each with a
 * gzip twin, plus `manifest.json`. `npm run build` writes them to dist/evidence; tests build into a temp folder.
 *
 *   node dist/src/evidence/build.js [OUT_DIR]
 *
 * Browser paths for Node-only modules: `node:crypto` → ./web/shims/crypto.ts (the same SHA-1 ids as the service);
 * fhirclient's Node fallbacks are compiled out (FHIRCLIENT_PURE) or shimmed. Two modules whose runtime value is
 * plain data built by zod at load time are replaced by JSON snapshots taken here, so zod stays out of the page:
 * the knowledge base's defaults (src/knowledge) and the card extension's version constants (src/render/extension).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type Metafile, type Plugin } from 'esbuild';
import { defaultKnowledge, KNOWLEDGE_VERSION } from '../knowledge';
import { EXTENSION_KEY, EXTENSION_VERSION } from '../render/extension';
import { MANIFEST, type EvidenceManifest } from './build-manifest';

const OUTPUT = /^evidence-[A-Z0-9]+\.(js|css)(\.gz)?$/;

/** The repository folder holding `src/evidence/web` (above this module in src/ and in dist/src/). */
export function sourceRoot(from: string = __dirname): string {
  let dir = from;
  for (let i = 0; i < 6; i++) {
    if (existsSync(path.join(dir, 'src/evidence/web/evidence.ts'))) return dir;
    dir = path.dirname(dir);
  }
  throw new Error(`evidence build: src/evidence/web not found above ${from}`);
}

/** Modules replaced by a JSON snapshot of their data exports (resolved path without extension → exports). */
function snapshots(src: string): Map<string, Record<string, unknown>> {
  return new Map<string, Record<string, unknown>>([
    [path.join(src, 'knowledge'), { defaultKnowledge, KNOWLEDGE_VERSION }],
    [path.join(src, 'knowledge/index'), { defaultKnowledge, KNOWLEDGE_VERSION }],
    [path.join(src, 'render/extension'), { EXTENSION_KEY, EXTENSION_VERSION }],
  ]);
}

function browserPaths(root: string): Plugin {
  const src = path.join(root, 'src');
  const snaps = snapshots(src);
  return {
    name: 'hlh-browser-paths',
    setup(b) {
      b.onResolve({ filter: /^node:crypto$/ }, () => ({ path: path.join(src, 'evidence/web/shims/crypto.ts') }));
      b.onResolve({ filter: /^isomorphic-webcrypto$/ }, () => ({ path: path.join(src, 'evidence/web/shims/webcrypto.ts') }));
      b.onResolve({ filter: /^\.\.?\// }, (args) => {
        const target = path.resolve(args.resolveDir, args.path).replace(/\.ts$/, '');
        return snaps.has(target) ? { path: target, namespace: 'snapshot' } : undefined;
      });
      b.onLoad({ filter: /.*/, namespace: 'snapshot' }, (args) => ({
        contents: Object.entries(snaps.get(args.path)!)
          .map(([name, value]) => `export const ${name} = ${JSON.stringify(value)};`)
          .join('\n'),
        loader: 'js',
      }));
    },
  };
}

/** Fails the build when something server-only slipped into the page (zod, a Node builtin). */
export function checkInputs(meta: Metafile): void {
  const bad = Object.keys(meta.inputs).filter((p) => /node_modules\/zod\/|^node:|node_modules\/isomorphic-webcrypto/.test(p));
  if (bad.length) throw new Error(`evidence build: server-only modules in the page bundle: ${bad.slice(0, 5).join(', ')}`);
}

function clean(outDir: string): void {
  mkdirSync(outDir, { recursive: true });
  for (const f of readdirSync(outDir)) if (OUTPUT.test(f) || f === MANIFEST) rmSync(path.join(outDir, f));
}

export async function buildEvidenceAssets(outDir: string, root: string = sourceRoot()): Promise<EvidenceManifest> {
  clean(outDir);
  const web = path.join(root, 'src/evidence/web');
  const result = await build({
    absWorkingDir: root,
    entryPoints: [path.join(web, 'evidence.ts'), path.join(web, 'evidence.css')],
    entryNames: '[name]-[hash]',
    outdir: outDir,
    bundle: true,
    minify: true,
    format: 'iife',
    platform: 'browser',
    target: ['chrome115', 'firefox115', 'safari16'],
    define: { FHIRCLIENT_PURE: 'true', 'process.env.NODE_ENV': '"production"' },
    plugins: [browserPaths(root)],
    metafile: true,
    logLevel: 'silent',
  });
  checkInputs(result.metafile);
  const names = Object.keys(result.metafile.outputs).map((p) => path.basename(p));
  const js = names.find((n) => n.endsWith('.js'));
  const css = names.find((n) => n.endsWith('.css'));
  if (!js || !css) throw new Error(`evidence build: expected one .js and one .css, got ${names.join(', ')}`);
  const bytes: EvidenceManifest['bytes'] = {};
  for (const name of [js, css]) {
    const raw = readFileSync(path.join(outDir, name));
    const gz = gzipSync(raw, { level: 9 });
    writeFileSync(path.join(outDir, `${name}.gz`), gz);
    bytes[name] = { raw: raw.length, gzip: gz.length };
  }
  const manifest: EvidenceManifest = { js, css, bytes };
  writeFileSync(path.join(outDir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

if (require.main === module) {
  const out = path.resolve(process.argv[2] ?? path.join(sourceRoot(), 'dist/evidence'));
  buildEvidenceAssets(out).then(
    (m) => {
      const sizes = Object.entries(m.bytes).map(([n, b]) => `${n} ${(b.raw / 1024).toFixed(0)} KiB (gzip ${(b.gzip / 1024).toFixed(0)} KiB)`);
      process.stdout.write(`evidence view built in ${out}: ${sizes.join(', ')}\n`);
    },
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
