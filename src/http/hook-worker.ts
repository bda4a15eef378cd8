/**
 * Evaluation worker (piscina): builds the hook runtime once from the configuration in `workerData`, then runs
 * one hook task per call. See ./hook-executor.ts for the pool and ./hook-task.ts for the task.
 */
import { workerData } from 'node:worker_threads';
import type { Config } from '../config/schema';
import { hookTaskRuntime } from './hook-runtime';
import { runHookTask, type HookTask, type HookTaskResult } from './hook-task';

const runtime = hookTaskRuntime((workerData as { config: Config }).config);

export default function run(task: HookTask): Promise<HookTaskResult> {
  return runHookTask(task, runtime);
}
