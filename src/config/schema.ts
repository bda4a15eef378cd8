/**
 * Service configuration: one zod schema, filled from an optional JSON file (CONFIG_FILE) and then
 * environment variables (which win). Every key has a default that runs the service with no external
 * server. A bad value stops start-up with a message naming the key.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { storeConfigSchema } from '../store/config';
import { CARD_LOG_ENV_KEYS, silentConfigSchema } from '../store/card-log';
import { securityConfigSchema, SECURITY_ENV_KEYS } from '../security/config';
import { evidenceConfigSchema, EVIDENCE_ENV_KEYS } from './evidence';
import { isValidTimeZone } from '../timeline/site-time';

const bytes = z.union([z.number().int().positive(), z.string().regex(/^\d+(b|kb|mb)$/i, 'e.g. "10mb"')]);

const UNIT: Record<string, number> = { b: 1, kb: 1024, mb: 1024 * 1024 };

/** `bodyLimit` in bytes (`"10mb"` → 10485760; the same units body-parser uses). */
export function bodyLimitBytes(limit: number | string): number {
  if (typeof limit === 'number') return limit;
  const m = /^(\d+)(b|kb|mb)$/i.exec(limit);
  if (!m) throw new Error(`invalid byte size "${limit}"`);
  return Number(m[1]) * UNIT[m[2]!.toLowerCase()]!;
}

/**
 * Deployment environment (env NODE_ENV): development settings (plain-http FHIR hosts, a fixed clock) are
 * accepted only with NODE_ENV=development. Anything else, unset included, is production.
 */
const environmentSchema = z.preprocess((v) => (v === 'development' ? 'development' : 'production'), z.enum(['production', 'development']));

/** A client address or subnet for the /metrics allowlist: `10.0.0.0/8`, `127.0.0.1`, `::1`, `fd00::/8`. */
const addressOrSubnet = z.string().refine((s) => {
  const [addr, bits, extra] = s.split('/');
  const family = isIP(addr ?? '');
  if (!family || extra !== undefined) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d{1,3}$/.test(bits) && n <= (family === 4 ? 32 : 128);
}, 'must be an IP address or a subnet in CIDR notation (e.g. 10.0.0.0/8)');

export const configSchema = z
  .object({
    /** Free text for the people who maintain a CONFIG_FILE (JSON has no comments); ignored. */
    $comment: z.string().optional(),
    environment: environmentSchema.default('production'),
    /** TCP port (env PORT). */
    port: z.coerce.number().int().min(0).max(65535).default(8080),
    host: z.string().min(1).default('0.0.0.0'),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Largest accepted JSON body; a real prefetch of thousands of Observations runs to megabytes. */
    bodyLimit: bytes.default('10mb'),
    /** Deepest JSON nesting accepted in a request body (FHIR rarely exceeds 15). */
    maxJsonDepth: z.coerce.number().int().min(8).max(1000).default(64),
    /** Optional JSON file overriding the clinical knowledge base (validated by its schemas). */
    knowledgeFile: z.string().min(1).optional(),
    /** Directory with the card content (wording, work-up catalogue, override reasons). */
    cardsDir: z.string().min(1).optional(),
    /**
     * The card's detail: `brief` (default) says in ≤ 1,200 characters (600 for info cards) what was found and
     * points to the evidence view; `full` carries every criteria table in the card itself.
     */
    cardDetail: z.enum(['brief', 'full'], { error: 'must be "brief" (the default) or "full"' }).default('brief'),
    /**
     * The site's time zone (IANA name, e.g. `Europe/Berlin`): day numbering and "windows close at the end of
     * calendar day N" follow its calendar; dates and date-times without a zone are placed in it.
     */
    siteTimeZone: z
      .string()
      .min(1)
      .refine(isValidTimeZone, 'not a time zone this platform knows (use an IANA name such as Europe/Berlin, or UTC)')
      .default('UTC'),
    /**
     * Admission control: hook evaluations (`POST /cds-services/{id}`) worked on at once; one more is answered
     * 503 + Retry-After at once instead of queueing (src/http/admission.ts). 0 = unlimited.
     */
    maxInFlight: z.coerce.number().int().min(0).max(100_000).default(64),
    /** Admission control: request body bytes the admitted hook calls may hold together (0 = no cap). */
    maxBodyBytesInFlight: z.coerce.number().int().min(0).default(128 * 1024 * 1024),
    /**
     * Evaluation worker threads (parse, validation, FHIR fetch, evaluation run there). Unset: one per available
     * core. 0: evaluate on the main thread (health and auth then wait behind evaluations).
     */
    workers: z.coerce.number().int().min(0).max(256).optional(),
    /**
     * Nice increment of the evaluation workers (Linux): above 0 the main thread, which answers health checks,
     * authenticates and refuses overload, is scheduled ahead of evaluation when the CPU is saturated.
     */
    workerNice: z.coerce.number().int().min(0).max(19).default(0),
    /** Time a hook call may take from admission to answer: waiting for a worker, FHIR fetches and evaluation. */
    hookDeadlineMs: z.coerce.number().int().min(200).max(120_000).default(5_000),
    /** FHIR fetches must end this long before the hook deadline, so the fetched data can still be evaluated. */
    evaluationReserveMs: z.coerce.number().int().min(0).max(60_000).default(1_000),
    /**
     * Development only: evaluate every hook as of this instant instead of the clock (to demonstrate the dated
     * example patients against the running service). Refused unless authentication is disabled-dev.
     */
    devAsOf: z.iso.datetime({ offset: true }).optional(),
    /**
     * Prometheus metrics (`GET /metrics`). With `port` set they are served on that port only (on `host`), for a
     * scraper that reaches a port the EHR cannot; otherwise on the service port. `allow` lists the client
     * addresses or subnets that may scrape (the address Express sees: the socket's, or the client's when
     * TRUST_PROXY says so); default loopback only on the service port, anyone on a dedicated port.
     */
    metrics: z
      .object({
        port: z.coerce.number().int().min(0).max(65535).optional(),
        allow: z.array(addressOrSubnet).optional(),
      })
      .strict()
      .prefault({}),
    /** Card log and feedback store: SQLite file by default, or PostgreSQL (src/store/config.ts). */
    store: storeConfigSchema.prefault({}),
    /** Silent mode: evaluate and log cards as usual, return `{"cards": []}` for silenced ones. */
    silent: silentConfigSchema.prefault({}),
    cors: z
      .object({
        /** `*` or a list of allowed origins. No credentials are ever allowed. */
        origins: z.union([z.literal('*'), z.array(z.string().min(1)).min(1)]).default('*'),
      })
      .default({ origins: '*' }),
    fhir: z
      .object({
        /** Per-request timeout for a FHIR call made when prefetch is missing. */
        timeoutMs: z.coerce.number().int().min(50).max(60_000).default(2_500),
        /** Overall budget for all FHIR calls of one hook request. */
        deadlineMs: z.coerce.number().int().min(100).max(120_000).default(4_000),
        /** Bundle pages followed per query (Bundle.link[next]). */
        maxPages: z.coerce.number().int().min(1).max(100).default(5),
        /** Largest FHIR response body accepted, per page. */
        maxResponseBytes: z.coerce.number().int().min(1024).default(20 * 1024 * 1024),
        /** `_count` in the Observation prefetch templates. */
        observationCount: z.coerce.number().int().min(10).max(1000).default(200),
        /**
         * Most `Medication/{id}` instance reads per hook call, for medicationReferences the data cannot resolve
         * (prefetch and fetch mode); references beyond it stay unresolved and are reported. 0 = never read.
         */
        maxMedicationReads: z.coerce.number().int().min(0).max(200).default(20),
        /** Bytes all FHIR responses of one hook call may add up to, across every query, page and Medication read. */
        maxHookBytes: z.coerce.number().int().min(1024).default(32 * 1024 * 1024),
      })
      .prefault({}),
    prefetch: z
      .object({
        /**
         * A prefetch value that is an OperationOutcome means the client's query failed:
         * `note` → proceed without that data and say so on the card; `refetch` → query fhirServer ourselves.
         */
        onOperationOutcome: z.enum(['note', 'refetch']).default('note'),
      })
      .default({ onOperationOutcome: 'note' }),
    /** Client authentication and outbound FHIR safety (src/security/config.ts). */
    security: securityConfigSchema.prefault({}),
    /** The evidence view, a SMART on FHIR app cards link to (./evidence.ts). */
    evidence: evidenceConfigSchema.prefault({}),
  })
  .strict()
  .superRefine((c, ctx) => {
    const development = c.environment === 'development';
    // A frozen clock in production would silently evaluate every patient at the wrong date.
    if (c.devAsOf !== undefined && c.security.auth.mode !== 'disabled-dev' && !development) {
      ctx.addIssue({ code: 'custom', path: ['devAsOf'], message: 'only allowed with AUTH_MODE=disabled-dev or NODE_ENV=development' });
    }
    // Plain http would carry the FHIR access token and patient data unencrypted.
    if (c.security.fhir.allowHttpHosts.length > 0 && !development) {
      ctx.addIssue({
        code: 'custom',
        path: ['security', 'fhir', 'allowHttpHosts'],
        message: 'only allowed with NODE_ENV=development (plain http is never allowed in production)',
      });
    }
    if (c.metrics.port !== undefined && c.metrics.port !== 0 && c.metrics.port === c.port) {
      ctx.addIssue({ code: 'custom', path: ['metrics', 'port'], message: 'must differ from port (unset it to serve /metrics on the service port)' });
    }
    if (c.evaluationReserveMs >= c.hookDeadlineMs) {
      ctx.addIssue({ code: 'custom', path: ['evaluationReserveMs'], message: 'must be less than hookDeadlineMs' });
    }
  });

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

/** Environment variable → config path. Documented in the README's configuration table. */
export const ENV_KEYS: Record<string, string[]> = {
  ...CARD_LOG_ENV_KEYS,
  NODE_ENV: ['environment'],
  METRICS_PORT: ['metrics', 'port'],
  METRICS_ALLOW: ['metrics', 'allow'],
  PORT: ['port'],
  HOST: ['host'],
  LOG_LEVEL: ['logLevel'],
  BODY_LIMIT: ['bodyLimit'],
  MAX_JSON_DEPTH: ['maxJsonDepth'],
  MAX_IN_FLIGHT: ['maxInFlight'],
  MAX_BODY_BYTES_IN_FLIGHT: ['maxBodyBytesInFlight'],
  WORKERS: ['workers'],
  WORKER_NICE: ['workerNice'],
  HOOK_DEADLINE_MS: ['hookDeadlineMs'],
  EVALUATION_RESERVE_MS: ['evaluationReserveMs'],
  DEV_AS_OF: ['devAsOf'],
  KNOWLEDGE_FILE: ['knowledgeFile'],
  CARDS_DIR: ['cardsDir'],
  CARD_DETAIL: ['cardDetail'],
  SITE_TIMEZONE: ['siteTimeZone'],
  FHIR_TIMEOUT_MS: ['fhir', 'timeoutMs'],
  FHIR_DEADLINE_MS: ['fhir', 'deadlineMs'],
  FHIR_MAX_PAGES: ['fhir', 'maxPages'],
  FHIR_MAX_RESPONSE_BYTES: ['fhir', 'maxResponseBytes'],
  FHIR_OBSERVATION_COUNT: ['fhir', 'observationCount'],
  FHIR_MAX_MEDICATION_READS: ['fhir', 'maxMedicationReads'],
  FHIR_MAX_HOOK_BYTES: ['fhir', 'maxHookBytes'],
  PREFETCH_ON_OPERATION_OUTCOME: ['prefetch', 'onOperationOutcome'],
  ...SECURITY_ENV_KEYS,
  ...EVIDENCE_ENV_KEYS,
};
