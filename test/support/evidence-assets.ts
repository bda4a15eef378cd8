/** A stand-in for the built evidence view (dist/evidence): manifest, script, stylesheet and their gzip twins. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

export function fakeEvidenceAssets(js = 'console.log("evidence")', css = 'main{color:#000}'): { dir: string; js: string; css: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hlh-evidence-fake-'));
  const names = { js: 'evidence-ABC123.js', css: 'evidence-DEF456.css' };
  for (const [name, text] of [[names.js, js], [names.css, css]] as const) {
    writeFileSync(path.join(dir, name), text);
    writeFileSync(path.join(dir, `${name}.gz`), gzipSync(text));
  }
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ ...names, bytes: {} }));
  return { dir, ...names };
}
