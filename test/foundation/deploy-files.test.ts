/** Deployment files stay valid: docker-compose.yml (compose v1 syntax), Dockerfile, .ci/run. */
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

it('.ci/run installs from the lockfile and runs the README test command', () => {
  const ci = readFileSync(path.join(root, '.ci/run'), 'utf8');
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  expect(ci).toMatch(/^npm ci\b/m);
  expect(ci).toMatch(/^npm test$/m);
  expect(readme).toContain('npm test');
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
