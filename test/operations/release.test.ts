/** Release basics: one version string for app, API and docs; the licence declared everywhere it is stated. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { openApiDocument } from '../../src/http/openapi';
import { APP_VERSION } from '../../src/version';

const root = path.resolve(__dirname, '../..');
const read = (f: string) => readFileSync(path.join(root, f), 'utf8');
const pkg = JSON.parse(read('package.json')) as { version: string; license: string };

it('the app, the OpenAPI document and the changelog carry the package.json version', () => {
  expect(pkg.version).toMatch(/^\d+\.\d+\.\d+(-[\w.]+)?$/);
  expect(APP_VERSION).toBe(pkg.version);
  expect((openApiDocument().info as { version: string }).version).toBe(pkg.version);
  // The newest release heading (after "Unreleased") is this version.
  const releases = [...read('CHANGELOG.md').matchAll(/^## (\S+)/gm)].map((m) => m[1]);
  expect(releases[0]).toBe('Unreleased');
  expect(releases[1]).toBe(pkg.version);
  expect(new Set(releases).size).toBe(releases.length);
});

it('LICENSE is the Apache License 2.0, as package.json and the OpenAPI document say', () => {
  expect(read('LICENSE')).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004/);
  expect(pkg.license).toBe('Apache-2.0');
  expect(openApiDocument().info).toMatchObject({ license: { identifier: 'Apache-2.0' } });
});
