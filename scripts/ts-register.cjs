/**
 * Lets Node load the TypeScript sources directly (no type check): each `.ts` module is transpiled on require,
 * and the output is cached on disk by path, size and modification time. Used only when the service runs from
 * its sources (jest, tests that spawn the server): evaluation and store worker threads then start through
 * ./ts-worker.cjs. Production runs the compiled `dist/` and never loads this file.
 */
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');

const cacheDir = path.join(os.tmpdir(), 'hlh-sentinel-ts-cache');
let ts;

function transpile(filename) {
  const stat = fs.statSync(filename);
  const key = crypto.createHash('sha1').update(`${filename}\0${stat.size}\0${stat.mtimeMs}`).digest('hex');
  const cached = path.join(cacheDir, `${key}.js`);
  try {
    return fs.readFileSync(cached, 'utf8');
  } catch {
    ts ??= require('typescript');
    const out = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
      fileName: filename,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, isolatedModules: true },
    }).outputText;
    fs.mkdirSync(cacheDir, { recursive: true });
    const tmp = `${cached}.${process.pid}.${Math.random().toString(36).slice(2)}`;
    fs.writeFileSync(tmp, out);
    fs.renameSync(tmp, cached);
    return out;
  }
}

if (!require.extensions['.ts']) {
  require.extensions['.ts'] = (module, filename) => module._compile(transpile(filename), filename);
}

module.exports = { transpile };
