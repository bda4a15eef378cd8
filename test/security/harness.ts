/** Builds the app with the real security layer (createSecurity) and a captured log. */
import type { Express } from 'express';
import { configSchema, type Config, type ConfigInput } from '../../src/config/schema';
import { createApp, type AppDeps } from '../../src/app';
import { defaultKnowledge } from '../../src/knowledge';
import { createLogger } from '../../src/log/logger';
import { hlhScreenService } from '../../src/service-definition';
import { prefetchTemplates } from '../../src/fhir/prefetch-templates';
import { createSecurity } from '../../src/security';
import { createStats } from '../../src/ops/stats';
import { memoryLog } from '../support/app';
import type { Evaluator } from '../../src/http/hook-task';

export interface SecureApp {
  app: Express;
  log: string[];
  config: Config;
  deps: AppDeps;
  /** Prefetch keys of the service (all must be present for a call that never fetches). */
  prefetchKeys: string[];
}

/** The same captured pino stream as the foundation tests use. */
export const captureLog = memoryLog;

export function secureApp(input: ConfigInput = {}, extra: Partial<AppDeps> = {}): SecureApp {
  const config = configSchema.parse({ logLevel: 'debug', ...input });
  const captured = captureLog();
  const logger = createLogger(config.logLevel, captured.stream);
  const stats = createStats();
  const security = createSecurity(config.security, logger, { stats });
  const service = hlhScreenService(prefetchTemplates(defaultKnowledge, config));
  const evaluator: Evaluator = () => ({ cards: [] });
  const deps: AppDeps = {
    config,
    logger,
    knowledge: defaultKnowledge,
    service,
    evaluator,
    authenticate: security.authenticate,
    checkFhirServer: security.checkFhirServer,
    health: security.health,
    stats,
    ...extra,
  };
  return { app: createApp(deps), log: captured.lines, config, deps, prefetchKeys: Object.keys(service.prefetch ?? {}) };
}

export const HOOK_INSTANCE = 'd1577c69-dfbe-44ad-ba6d-3e05e953b2ea';

/** A valid patient-view request with every prefetch key answered `null` (nothing found; never fetches). */
export function fullPrefetchRequest(keys: string[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    hook: 'patient-view',
    hookInstance: HOOK_INSTANCE,
    context: { userId: 'Practitioner/example', patientId: 'pat-1' },
    prefetch: Object.fromEntries(keys.map((k) => [k, null])),
    ...extra,
  };
}

/** A request with no prefetch at all: everything must come from fhirServer. */
export function noPrefetchRequest(fhirServer: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    hook: 'patient-view',
    hookInstance: HOOK_INSTANCE,
    fhirServer,
    fhirAuthorization: { access_token: 'fhir-access-token-SECRET-123', token_type: 'Bearer', expires_in: 300, scope: 'patient/*.read', subject: 'hlh-sentinel' },
    context: { userId: 'Practitioner/example', patientId: 'pat-1' },
    ...extra,
  };
}
