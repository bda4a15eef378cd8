// Tests only: lets a child process run the TypeScript sources directly (`node -r ./test/support/ts-register.js
// src/server.ts`), so process-level behaviour (exit codes, stderr) is tested without a build. Each .ts file is
// transpiled as it is loaded; type checking is `npm run typecheck`'s job.
const { readFileSync } = require('node:fs');
const ts = require('typescript');

const compilerOptions = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  esModuleInterop: true,
  resolveJsonModule: true,
};

require.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(readFileSync(filename, 'utf8'), { compilerOptions, fileName: filename });
  module._compile(outputText, filename);
};
