/** Deployment files stay valid: docker-compose.yml (compose v1 syntax), Dockerfile, .ci/run, engines. */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

it('docker-compose.yml validates with docker-compose config -q', () => {
  const probe = spawnSync('docker-compose', ['version', '--short'], { encoding: 'utf8' });
  if (probe.error) {
    // Never skip silently: outside CI say what is missing; in CI fail.
    if (process.env.CI) throw new Error('docker-compose is not installed (run scripts/install-system-deps.sh)');
    console.warn('docker-compose not installed: compose validation NOT run (scripts/install-system-deps.sh installs it)');
    return;
  }
  expect(() => execFileSync('docker-compose', ['-f', path.join(root, 'docker-compose.yml'), 'config', '-q'], { stdio: 'pipe' })).not.toThrow();
});

it('the Dockerfile is multi-stage and runs as a non-root user', () => {
  const text = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
  expect(text.match(/^FROM /gm)!.length).toBeGreaterThanOrEqual(2);
  const users = text.match(/^USER (\S+)/gm) ?? [];
  expect(users.length).toBeGreaterThan(0);
  expect(users[users.length - 1]).not.toMatch(/root|\b0\b/);
});

it('.ci/run installs from the lockfile and runs the README test command on the machine Node and on Node 24', () => {
  const ci = readFileSync(path.join(root, '.ci/run'), 'utf8');
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  expect(readme).toContain('npm test');
  // One lockfile install; the README test command once on the machine's Node and once per extra Node version,
  // where only the native module is rebuilt (the JavaScript dependencies do not depend on the Node version).
  expect(ci.match(/^\s*npm ci --no-audit --no-fund$/gm)).toHaveLength(1);
  expect(ci.match(/^\s*npm test$/gm)).toHaveLength(2);
  expect(ci.match(/^\s*npm rebuild better-sqlite3$/gm)).toHaveLength(1);
  expect(ci.search(/^npm ci --no-audit/m)).toBeLessThan(ci.search(/^npm test$/m));
  const versions = /CI_NODE_VERSIONS-([\d.]+)\}/.exec(ci)?.[1];
  expect(versions).toMatch(/^24\.\d+\.\d+$/);
});

it('engines names the Node lines the suite is run on, and the Dockerfile uses one of them', () => {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { engines: { node: string } };
  expect(pkg.engines.node).toBe('^20.19.0 || ^24.0.0 || ^26.0.0');
  const froms = readFileSync(path.join(root, 'Dockerfile'), 'utf8').match(/^FROM node:(\d+)-/gm) ?? [];
  expect(froms.length).toBeGreaterThanOrEqual(2);
  for (const f of froms) expect(f).toMatch(/^FROM node:24-/);
});

it('the Dockerfile starts the server with the same node flags as npm start (the benchmark measures those)', () => {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const start = /^node((?: --[\w-]+(?:=\S+)?)*) dist\/src\/server\.js$/.exec(pkg.scripts.start ?? '');
  expect(start).not.toBeNull();
  const flags = start![1]!.trim().split(' ').filter(Boolean);
  expect(flags).toContain('--max-semi-space-size=64');
  const cmd = /^CMD (\[.*\])$/m.exec(readFileSync(path.join(root, 'Dockerfile'), 'utf8'));
  expect(JSON.parse(cmd![1]!)).toEqual(['node', ...flags, 'dist/src/server.js']);
});
