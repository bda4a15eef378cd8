/**
 * Runs hook tasks (./hook-task.ts) off the main thread, in a piscina pool of evaluation workers, so health,
 * readiness and authentication keep answering while requests are parsed and evaluated, and one process uses
 * every core. The body bytes are transferred to the worker, not copied; the worker builds its pipeline once.
 *
 * `inlineExecutor` runs the same task on the main thread: the `workers: 0` setting, and tests that inject
 * their own evaluator or FHIR check (functions cannot cross to a worker).
 */
import { resolve } from 'node:path';
import { Piscina } from 'piscina';
import type { Config } from '../config/schema';
import type { ServiceStats } from '../ops/stats';
import { workerScript } from '../ops/worker-script';
import { runHookTask, type HookTask, type HookTaskResult, type HookTaskRuntime } from './hook-task';

export interface HookExecutor {
  /** `checkFhirServer` is honoured only on the main thread (workers check the task's allowlist). */
  run(task: HookTask, checkFhirServer?: (url: string) => string | undefined): Promise<HookTaskResult>;
  /** Worker threads (0: the main thread evaluates). */
  readonly threads: number;
  /** Workers that have built their pipeline and can take a task at once (all of them on the main thread). */
  ready?(): number;
  close(): Promise<void>;
}

export function inlineExecutor(runtime: HookTaskRuntime): HookExecutor {
  return {
    threads: 0,
    run: (task, check) => (check ? runHookTask(task, runtime, check) : runHookTask(task, runtime)),
    close: async () => undefined,
  };
}

export interface PoolOptions {
  threads: number;
  /** Tasks one worker holds at once: more than 1 lets a worker evaluate while another task awaits FHIR. */
  tasksPerWorker?: number;
  /** Added to the workers' nice value (Linux), so the main thread (health, auth, admission) is scheduled first. */
  nice?: number;
  stats?: ServiceStats;
}

/** A body must own its whole ArrayBuffer to be transferred; otherwise it is copied into one that does. */
function ownBuffer(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer
    ? bytes
    : new Uint8Array(bytes);
}

export function poolExecutor(config: Config, options: PoolOptions): HookExecutor {
  const script = workerScript(resolve(__dirname), 'hook-worker');
  const pool = new Piscina({
    filename: script.filename,
    workerData: { ...script.workerData, config },
    minThreads: options.threads,
    maxThreads: options.threads,
    concurrentTasksPerWorker: options.tasksPerWorker ?? 4,
    niceIncrement: options.nice ?? 0,
    idleTimeout: Number.POSITIVE_INFINITY,
    // Admission control bounds what can queue here; the pool itself never refuses.
    maxQueue: Number.POSITIVE_INFINITY,
  });
  const ready = new Set<number>();
  pool.on('message', (m: unknown) => {
    const id = (m as { hookWorkerReady?: unknown } | null)?.hookWorkerReady;
    if (typeof id === 'number') ready.add(id);
  });
  pool.on('workerDestroy', (w: { id?: number }) => {
    if (typeof w?.id === 'number') ready.delete(w.id); // a replacement worker reports ready on its own
  });
  const stats = options.stats;
  stats?.gauge('workerThreads', () => pool.threads.length);
  stats?.gauge('workerUtilization', () => pool.utilization);
  stats?.gauge('workerQueue', () => pool.queueSize);
  return {
    threads: options.threads,
    ready: () => ready.size,
    run(task) {
      const body = ownBuffer(task.body);
      return pool.run({ ...task, body }, { transferList: [body.buffer as ArrayBuffer] }) as Promise<HookTaskResult>;
    },
    close: () => pool.destroy(),
  };
}
