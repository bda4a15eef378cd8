import { Writable } from 'node:stream';
import type { Express } from 'express';
import { configSchema, type Config, type ConfigInput } from '../../src/config/schema';
import { createApp, type AppDeps } from '../../src/app';
import { defaultKnowledge } from '../../src/knowledge';
import { createLogger } from '../../src/log/logger';
import { hlhScreenService } from '../../src/service-definition';
import { prefetchTemplates } from '../../src/fhir/prefetch-templates';
import type { EvaluationContext } from '../../src/pipeline/evaluate';
import type { Evaluator } from '../../src/http/hook-task';
import type { ResolvedData } from '../../src/fhir/resolved-data';

/** Captures pino lines so tests can assert on (and grep) what was logged. */
export function memoryLog(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
  return { stream, lines };
}

export interface SpyEvaluator extends Evaluator {
  calls: Array<{ data: ResolvedData; ctx: EvaluationContext }>;
}

/** An evaluator that records what the pipeline received and returns no cards. */
function spyEvaluator(): SpyEvaluator {
  const calls: SpyEvaluator['calls'] = [];
  return Object.assign(
    (data: ResolvedData, ctx: EvaluationContext) => {
      calls.push({ data, ctx });
      return { cards: [] };
    },
    { calls },
  );
}

export function testConfig(input: ConfigInput = {}): Config {
  return configSchema.parse({ logLevel: 'info', ...input });
}

/** The app with explicit test dependencies (no authentication unless given). */
export function buildTestApp(overrides: Partial<AppDeps> & { configInput?: ConfigInput } = {}): {
  app: Express;
  log: string[];
  evaluator: Evaluator;
  deps: AppDeps;
} {
  const { configInput, ...rest } = overrides;
  const config = rest.config ?? testConfig(configInput);
  const log = memoryLog();
  const knowledge = rest.knowledge ?? defaultKnowledge;
  const deps: AppDeps = {
    config,
    logger: createLogger(config.logLevel, log.stream),
    knowledge,
    service: hlhScreenService(prefetchTemplates(knowledge, config)),
    evaluator: spyEvaluator(),
    now: () => new Date('2026-03-15T12:00:00Z'),
    ...rest,
  };
  return { app: createApp(deps), log: log.lines, evaluator: deps.evaluator, deps };
}

const HOOK_INSTANCE = 'd1577c69-dfbe-44ad-ba6d-3e05e953b2ea';

/** A valid patient-view request; pass `prefetch: undefined` to omit the key entirely. */
export function hookRequest(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    hook: 'patient-view',
    hookInstance: HOOK_INSTANCE,
    context: { userId: 'Practitioner/example', patientId: 'pat-1' },
    ...extra,
  };
}
