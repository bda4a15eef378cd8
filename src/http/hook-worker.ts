/**
 * Evaluation worker (piscina): builds the hook runtime once from the configuration in `workerData`, then runs
 * one hook task per call. See ./hook-executor.ts for the pool and ./hook-task.ts for the task.
 */
import { parentPort, threadId, workerData } from 'node:worker_threads';
import type { Config } from '../config/schema';
import { hookTaskRuntime } from './hook-runtime';
import { runHookTask, type HookTask, type HookTaskResult } from './hook-task';

const runtime = hookTaskRuntime((workerData as { config: Config }).config);
// Tells the pool this worker has compiled its pipeline (readiness waits for every worker).
parentPort?.postMessage({ hookWorkerReady: threadId });

export default function run(task: HookTask): Promise<HookTaskResult> {
  return runHookTask(task, runtime);
}
