/**
 * Where a worker thread's entry module is. Compiled (`dist/`), it is the `.js` file beside the caller. From
 * the TypeScript sources (jest, or `node -r scripts/ts-register.cjs`), worker threads cannot load `.ts`
 * themselves, so they start through `scripts/ts-worker.cjs`, which registers the same transpile-on-require
 * hook and then loads the `.ts` entry named in `workerData.entry`.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface WorkerScript {
  filename: string;
  /** Merge into the worker's `workerData` (names the real entry when started through the loader). */
  workerData: { entry?: string };
}

/** `dir` and `name` of the entry module without extension, e.g. `(__dirname, 'hook-worker')`. */
export function workerScript(dir: string, name: string): WorkerScript {
  const compiled = join(dir, `${name}.js`);
  if (existsSync(compiled)) return { filename: compiled, workerData: {} };
  const source = join(dir, `${name}.ts`);
  const loader = resolve(__dirname, '../../scripts/ts-worker.cjs');
  return { filename: loader, workerData: { entry: source } };
}
