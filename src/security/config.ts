/**
 * `security` section of the service configuration: how CDS clients (EHRs) authenticate and
 * which FHIR servers the service may call on their behalf. Validated at start-up; a bad issuer entry
 * stops the process with a message naming the key.
 *
 * Embedded default: authentication REQUIRED with no issuer registered, so every /cds-services call
 * answers 401 until an EHR is registered (CONFIG_FILE → security.auth.issuers) or local development
 * mode is chosen explicitly (AUTH_MODE=disabled-dev).
 */
import { z } from 'zod';

/** Asymmetric JWS algorithms only: `none` and every HMAC (`HS*`) are not representable. */
const ASYMMETRIC_ALGORITHMS = [
  'ES256',
  'ES384',
  'ES512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'EdDSA',
] as const;
export type JwsAlgorithm = (typeof ASYMMETRIC_ALGORITHMS)[number];

const algorithmSchema = z.string().refine((a): a is JwsAlgorithm => (ASYMMETRIC_ALGORITHMS as readonly string[]).includes(a), {
  message: `must be one of ${ASYMMETRIC_ALGORITHMS.join(', ')} ("none" and HMAC algorithms are never accepted)`,
});

/** Accepts a JSON boolean or the strings "true"/"false"/"1"/"0" (environment variables). */
const envBoolean = z.preprocess((v) => {
  if (typeof v !== 'string') return v;
  const s = v.trim().toLowerCase();
  if (s === 'true' || s === '1' || s === 'yes') return true;
  if (s === 'false' || s === '0' || s === 'no') return false;
  return v;
}, z.boolean());

/** Private or symmetric key members that must never appear in a verification key set. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

const jwkSchema = z
  .object({ kty: z.enum(['EC', 'RSA', 'OKP']), kid: z.string().min(1).optional(), alg: z.string().optional(), use: z.string().optional() })
  .loose()
  .superRefine((k, ctx) => {
    for (const m of PRIVATE_MEMBERS) {
      if (m in k) ctx.addIssue({ code: 'custom', path: [m], message: 'private or symmetric key material is not allowed in a verification JWKS' });
    }
    if (k.use !== undefined && k.use !== 'sig') ctx.addIssue({ code: 'custom', path: ['use'], message: 'must be "sig" when present' });
  });

export const jwksSchema = z.object({ keys: z.array(jwkSchema).min(1) }).loose();

/** An absolute URL with no credentials, query or fragment (JWKS URLs, FHIR base URLs). */
const plainUrl = z.string().superRefine((s, ctx) => {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be an absolute URL' });
    return;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') ctx.addIssue({ code: 'custom', message: 'must be an http(s) URL' });
  if (u.username || u.password) ctx.addIssue({ code: 'custom', message: 'must not contain credentials' });
  if (u.search || u.hash) ctx.addIssue({ code: 'custom', message: 'must not contain a query or fragment' });
});

const issuerSchema = z
  .object({
    /** Exact `iss` claim value the EHR puts in its tokens. */
    iss: z.string().min(1),
    /** Label for logs (defaults to `iss`). */
    name: z.string().min(1).optional(),
    /**
     * Where the EHR's public keys come from: an inline JWK Set (`{"keys": [...]}`), a JSON file
     * (`{"file": "path"}`, read at start-up), or JWK Set URLs (`{"jku": ["https://..."]}`): a token's
     * `jku` header must be on that list; a token without `jku` uses the first URL.
     */
    jwks: z.union([
      jwksSchema,
      z.object({ file: z.string().min(1) }).strict(),
      z.object({ jku: z.array(plainUrl).min(1) }).strict(),
    ]),
    /** Extra accepted `aud` values, for EHRs that set the audience by hand (besides the endpoint URL). */
    audiences: z.array(z.string().min(1)).optional(),
    /** When set, the token's `tenant` claim must be one of these. */
    tenants: z.array(z.string().min(1)).min(1).optional(),
    /**
     * FHIR server base URLs this EHR may send us to (`fhirServer`). An entry with an empty path allows the
     * whole origin; otherwise the fhirServer must be that URL or below it. `[]` = prefetch only, never fetch.
     */
    fhirServers: z.array(plainUrl),
  })
  .strict();
export type IssuerConfig = z.infer<typeof issuerSchema>;

export const securityConfigSchema = z
  .object({
    auth: z
      .object({
        /** `required` (default) or `disabled-dev`: no authentication, for local development only. */
        mode: z.enum(['required', 'disabled-dev']).default('required'),
        /** Tolerance for exp / nbf / iat. */
        clockSkewSeconds: z.coerce.number().int().min(0).max(600).default(60),
        /** Accepted JWS algorithms (asymmetric only). */
        algorithms: z.array(algorithmSchema).min(1).default(['ES384', 'RS384']),
        /** Longest accepted token lifetime (age by `iat`, and `exp` ahead of now); bounds the replay cache. */
        maxTokenLifetimeSeconds: z.coerce.number().int().min(30).max(86_400).default(3_600),
        /** Most `jti` values remembered at once (per process). When full of live entries, tokens are refused. */
        replayCacheSize: z.coerce.number().int().min(100).max(10_000_000).default(100_000),
        /** Remote JWKS (`jku`): fetch timeout, and how long a fetched key set is trusted before refetching. */
        jwksTimeoutMs: z.coerce.number().int().min(100).max(30_000).default(2_000),
        jwksCacheMaxAgeMs: z.coerce.number().int().min(1_000).default(10 * 60_000),
        issuers: z.array(issuerSchema).default([]),
      })
      .strict()
      .prefault({}),
    fhir: z
      .object({
        /** Development only: allow `http://` fhirServer / jku URLs whose host is loopback. */
        allowHttpLoopback: envBoolean.default(false),
        /**
         * Development only (refused unless NODE_ENV=development): hosts that may be called over plain `http://`,
         * as `host` (any port) or `host:port`, e.g. `fhir:8080` for the FHIR server of the local compose stack.
         */
        allowHttpHosts: z.array(z.string().regex(/^[a-z0-9.-]+(:\d{1,5})?$/i, 'must be host or host:port')).default([]),
        /**
         * With AUTH_MODE=disabled-dev there is no issuer, so no per-issuer list: these fhirServer URLs are
         * allowed instead. Unset = none (prefetch only); `["*"]` = any URL that passes the generic checks.
         */
        allowedFhirServersWhenAuthDisabled: z.array(z.union([z.literal('*'), plainUrl])).optional(),
      })
      .strict()
      .prefault({}),
    /**
     * The externally visible base URL of this service (what the EHR calls, e.g. `https://cds.example.org`).
     * A token's `aud` must equal this + the endpoint path. Unset: built from the request (protocol and Host,
     * honouring X-Forwarded-* only when trustProxy says so) — set it in production.
     */
    publicBaseUrl: plainUrl.optional(),
    /** Express `trust proxy`: false (default), true, a hop count, or a list of addresses/subnets ("loopback"). */
    trustProxy: z
      .preprocess(
        (v) => {
          if (typeof v !== 'string') return v;
          const s = v.trim();
          if (s === 'true' || s === 'false') return s === 'true';
          if (/^\d+$/.test(s)) return Number(s);
          return s;
        },
        z.union([z.boolean(), z.number().int().min(0).max(10), z.string().min(1)]),
      )
      .default(false),
  })
  .strict()
  .superRefine((s, ctx) => {
    const seen = new Set<string>();
    s.auth.issuers.forEach((i, n) => {
      if (seen.has(i.iss)) ctx.addIssue({ code: 'custom', path: ['auth', 'issuers', n, 'iss'], message: `duplicate issuer "${i.iss}"` });
      seen.add(i.iss);
    });
  });

export type SecurityConfig = z.infer<typeof securityConfigSchema>;

/** Environment variables for the security section (merged into ENV_KEYS). */
export const SECURITY_ENV_KEYS: Record<string, string[]> = {
  AUTH_MODE: ['security', 'auth', 'mode'],
  AUTH_CLOCK_SKEW_SECONDS: ['security', 'auth', 'clockSkewSeconds'],
  AUTH_ALGORITHMS: ['security', 'auth', 'algorithms'],
  AUTH_MAX_TOKEN_LIFETIME_SECONDS: ['security', 'auth', 'maxTokenLifetimeSeconds'],
  AUTH_REPLAY_CACHE_SIZE: ['security', 'auth', 'replayCacheSize'],
  AUTH_ISSUERS: ['security', 'auth', 'issuers'],
  PUBLIC_BASE_URL: ['security', 'publicBaseUrl'],
  TRUST_PROXY: ['security', 'trustProxy'],
  FHIR_ALLOW_HTTP_LOOPBACK: ['security', 'fhir', 'allowHttpLoopback'],
  FHIR_ALLOW_HTTP_HOSTS: ['security', 'fhir', 'allowHttpHosts'],
  FHIR_ALLOWED_SERVERS_WHEN_AUTH_DISABLED: ['security', 'fhir', 'allowedFhirServersWhenAuthDisabled'],
};

/** Environment values that are comma-separated lists, and ones that are JSON. */
const LIST_ENV = new Set(['AUTH_ALGORITHMS', 'FHIR_ALLOWED_SERVERS_WHEN_AUTH_DISABLED', 'FHIR_ALLOW_HTTP_HOSTS']);
const JSON_ENV = new Set(['AUTH_ISSUERS']);

/** Turns a security environment variable's text into the value the schema expects (or undefined if not ours). */
export function securityEnvValue(name: string, raw: string): { value: unknown } | undefined {
  if (LIST_ENV.has(name)) return { value: raw.split(',').map((s) => s.trim()).filter(Boolean) };
  if (JSON_ENV.has(name)) {
    try {
      return { value: JSON.parse(raw) as unknown };
    } catch {
      return { value: raw }; // the schema then reports "expected array"
    }
  }
  return undefined;
}
