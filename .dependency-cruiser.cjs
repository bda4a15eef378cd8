/**
 * Which folder of src/ may import which (`npm run check:deps`, part of `npm test`). The table is the one in
 * docs/architecture.md: the functional core depends in one direction (vocabulary ← knowledge ← timeline ← criteria
 * ← render ← pipeline), the shell around it may use the core but never the other way round, and no module is part
 * of an import cycle. Type-only imports count: a type is a dependency too.
 */

/** Folder → the other src/ folders it may import (itself always). Root files are listed as `file:<name>`. */
const LAYERS = {
  // The functional core.
  vocabulary: [],
  knowledge: ['vocabulary'],
  timeline: ['knowledge', 'vocabulary'],
  criteria: ['timeline', 'knowledge', 'vocabulary'],
  hooks: ['vocabulary'],
  render: ['criteria', 'timeline', 'knowledge', 'hooks', 'vocabulary'],
  pipeline: ['render', 'criteria', 'timeline', 'knowledge', 'hooks', 'vocabulary'],
  // The shell.
  log: [],
  ops: [],
  dev: [],
  security: ['log', 'ops', 'hooks', 'vocabulary'],
  fhir: ['security', 'timeline', 'knowledge', 'vocabulary'],
  store: ['ops'],
  config: ['security', 'store', 'fhir', 'timeline', 'vocabulary'],
  evidence: ['config', 'fhir', 'render', 'criteria', 'timeline', 'knowledge', 'hooks', 'log', 'vocabulary'],
  http: [
    'evidence', 'config', 'store', 'fhir', 'security', 'ops', 'log',
    'pipeline', 'render', 'knowledge', 'timeline', 'hooks', 'vocabulary',
    'file:service-definition', 'file:version',
  ],
  observability: ['http', 'render', 'hooks', 'ops', 'log'],
  cli: ['evidence', 'config', 'store', 'dev', 'pipeline', 'render', 'criteria', 'knowledge', 'timeline', 'hooks', 'vocabulary'],
};

/** Root files of src/: the service definition and version are leaves; app.ts and server.ts compose everything. */
const ROOT_FILES = {
  version: [],
  'service-definition': ['hooks'],
};

const target = (name) => (name.startsWith('file:') ? `${name.slice(5)}\\.ts$` : `${name}/`);

const layerRules = Object.entries(LAYERS).map(([folder, allowed]) => ({
  name: `layer-${folder}`,
  comment: `src/${folder}/ may import only ${allowed.length ? allowed.join(', ') : 'nothing else in src/'} (docs/architecture.md)`,
  severity: 'error',
  from: { path: `^src/${folder}/` },
  to: { path: '^src/', pathNot: `^src/(?:${[folder, ...allowed].map(target).join('|')})` },
}));

const rootRules = Object.entries(ROOT_FILES).map(([file, allowed]) => ({
  name: `layer-${file}`,
  comment: `src/${file}.ts may import only ${allowed.length ? allowed.join(', ') : 'nothing else in src/'}`,
  severity: 'error',
  from: { path: `^src/${file}\\.ts$` },
  to: { path: '^src/', pathNot: `^src/(?:${[file, ...allowed].map((n) => target(n === file ? `file:${n}` : n)).join('|')})` },
}));

module.exports = {
  forbidden: [
    ...layerRules,
    ...rootRules,
    {
      name: 'composition-root',
      comment: 'app.ts wires the service together: only server.ts (and tests) import it',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/server\\.ts$' },
      to: { path: '^src/app\\.ts$' },
    },
    {
      name: 'entry-points',
      comment: 'server.ts and the CLIs are entry points: nothing in src/ imports them (a CLI may share a module with another CLI)',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/cli/' },
      to: { path: ['^src/server\\.ts$', '^src/cli/'] },
    },
    {
      name: 'no-circular',
      comment: 'no module is part of an import cycle',
      severity: 'error',
      from: { path: '^(src|bench|scripts)/' },
      to: { circular: true },
    },
    {
      name: 'no-tests-in-src',
      comment: 'the service and the benchmark never import test code',
      severity: 'error',
      from: { path: '^(src|bench)/' },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    combinedDependencies: false,
  },
};
