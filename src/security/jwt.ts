/**
 * CDS Hooks client authentication (spec §Security): the EHR signs a short-lived JWT with its private key
 * and sends it as `Authorization: Bearer <JWT>`. We verify, in order: compact form; `alg` on the
 * allowlist (asymmetric only); `iss` registered; key from that issuer's JWK Set (inline, file, or an
 * allowlisted `jku`, fetched with cache and rotation); signature; `aud` = URL of the endpoint called (or an
 * audience configured for the issuer); exp / nbf / iat with clock skew and a lifetime cap; `tenant` where
 * configured; `jti` present and not seen before. Every failure is an AuthFailure whose reason is logged,
 * never returned to the caller, and never contains the token.
 */
import { readFileSync } from 'node:fs';
import type { Request } from 'express';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  errors as joseErrors,
  jwtVerify,
  type JWTVerifyGetKey,
} from 'jose';
import { jwksSchema, type IssuerConfig, type SecurityConfig } from './config';
import { ReplayCache } from './replay';
import type { SharedReplayStore } from './shared-replay';
import { transportRefusal } from './ssrf';

/** The verified caller, attached to `res.locals.client`. */
export interface AuthenticatedClient {
  kind: 'jwt' | 'disabled-dev';
  /** Issuer label for logs (`name` or `iss`). */
  name: string;
  iss?: string;
  tenant?: string;
  sub?: string;
  /** FHIR base URLs this client may send us to; `'*'` only in development mode. */
  fhirServers: readonly string[] | '*';
}

export class AuthFailure extends Error {
  override name = 'AuthFailure';
}

export class SecurityConfigError extends Error {
  override name = 'SecurityConfigError';
}

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const MAX_TOKEN_CHARS = 16_384;

interface IssuerRuntime {
  config: IssuerConfig;
  /** Picks the key set for a token header (refuses a jku that is not allowlisted). */
  keySet(header: { jku?: unknown }): JWTVerifyGetKey;
}

function normalizeUrl(s: string): string | undefined {
  try {
    return new URL(s).href;
  } catch {
    return undefined;
  }
}

function buildIssuer(issuer: IssuerConfig, security: SecurityConfig, index: number): IssuerRuntime {
  const where = `security.auth.issuers[${index}] (${issuer.iss})`;
  const source = issuer.jwks as { keys?: unknown; file?: string; jku?: string[] };
  if (source.jku) {
    const sets = new Map<string, JWTVerifyGetKey>();
    for (const raw of source.jku) {
      const url = new URL(raw);
      const refusal = transportRefusal(url, { allowHttpLoopback: security.fhir.allowHttpLoopback });
      if (refusal) throw new SecurityConfigError(`${where}: jwks.jku ${raw}: ${refusal}`);
      sets.set(
        url.href,
        createRemoteJWKSet(url, {
          timeoutDuration: security.auth.jwksTimeoutMs,
          cacheMaxAge: security.auth.jwksCacheMaxAgeMs,
          cooldownDuration: 30_000,
        }),
      );
    }
    const first = sets.values().next().value as JWTVerifyGetKey;
    return {
      config: issuer,
      keySet(header) {
        if (header.jku === undefined) return first;
        const jku = typeof header.jku === 'string' ? normalizeUrl(header.jku) : undefined;
        const set = jku ? sets.get(jku) : undefined;
        if (!set) throw new AuthFailure('jku header is not on the issuer allowlist');
        return set;
      },
    };
  }
  let jwks: unknown = source;
  if (source.file !== undefined) {
    try {
      jwks = JSON.parse(readFileSync(source.file, 'utf8'));
    } catch (e) {
      throw new SecurityConfigError(`${where}: jwks.file ${source.file}: cannot read a JSON key set (${(e as Error).message})`);
    }
  }
  const parsed = jwksSchema.safeParse(jwks);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new SecurityConfigError(`${where}: jwks: ${first?.path.join('.') ?? ''} ${first?.message ?? 'invalid'}`);
  }
  const local = createLocalJWKSet(parsed.data as unknown as Parameters<typeof createLocalJWKSet>[0]);
  return { config: issuer, keySet: () => local };
}

export interface TokenVerifier {
  /** Verifies a compact JWT for the endpoint at `audience`; throws AuthFailure. */
  verify(token: string, audience: string): Promise<AuthenticatedClient>;
  readonly issuerCount: number;
}

export interface VerifierOptions {
  now?: () => Date;
  /** Replay guard shared by every replica; checked after the per-process cache. */
  sharedReplay?: SharedReplayStore;
  /** The shared guard could not be reached: the token is judged by the per-process cache alone. */
  onSharedReplayError?: (err: unknown) => void;
}

export function createTokenVerifier(security: SecurityConfig, options: VerifierOptions | (() => Date) = {}): TokenVerifier {
  const o: VerifierOptions = typeof options === 'function' ? { now: options } : options;
  const now = o.now ?? (() => new Date());
  const issuers = new Map<string, IssuerRuntime>();
  security.auth.issuers.forEach((i, n) => issuers.set(i.iss, buildIssuer(i, security, n)));
  const algorithms: string[] = [...security.auth.algorithms];
  const skew = security.auth.clockSkewSeconds;
  const maxLifetime = security.auth.maxTokenLifetimeSeconds;
  const replay = new ReplayCache(security.auth.replayCacheSize);

  return {
    issuerCount: issuers.size,
    async verify(token, audience) {
      if (token.length > MAX_TOKEN_CHARS) throw new AuthFailure('token too long');
      if (!COMPACT_JWS.test(token)) throw new AuthFailure('not a signed compact JWT');
      let header: ReturnType<typeof decodeProtectedHeader>;
      let unverified: ReturnType<typeof decodeJwt>;
      try {
        header = decodeProtectedHeader(token);
        unverified = decodeJwt(token);
      } catch {
        throw new AuthFailure('token cannot be decoded');
      }
      if (typeof header.alg !== 'string' || !algorithms.includes(header.alg)) {
        throw new AuthFailure(`algorithm ${JSON.stringify(String(header.alg)).slice(0, 40)} is not allowed`);
      }
      if (header.typ !== undefined && String(header.typ).toUpperCase() !== 'JWT') throw new AuthFailure('typ header is not JWT');
      const issuer = typeof unverified.iss === 'string' ? issuers.get(unverified.iss) : undefined;
      if (!issuer) throw new AuthFailure('issuer is not registered');
      const keySet = issuer.keySet(header);
      const audiences = [audience, ...(issuer.config.audiences ?? [])];
      const current = now();
      let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
      try {
        ({ payload } = await jwtVerify(token, keySet, {
          algorithms,
          issuer: issuer.config.iss,
          audience: audiences,
          clockTolerance: skew,
          maxTokenAge: maxLifetime,
          requiredClaims: ['iss', 'aud', 'exp', 'iat', 'jti'],
          currentDate: current,
        }));
      } catch (e) {
        throw new AuthFailure(describeJoseError(e));
      }
      const nowSec = Math.floor(current.getTime() / 1000);
      const exp = payload.exp!;
      if (exp - nowSec > maxLifetime + skew) throw new AuthFailure('exp is further ahead than the maximum token lifetime');
      const tenant = typeof payload.tenant === 'string' ? payload.tenant : undefined;
      if (issuer.config.tenants && (!tenant || !issuer.config.tenants.includes(tenant))) {
        throw new AuthFailure('tenant is missing or not registered for this issuer');
      }
      const jti = payload.jti;
      if (typeof jti !== 'string' || jti.length === 0 || jti.length > 256) throw new AuthFailure('jti must be a string of 1-256 characters');
      const verdict = replay.check(`${issuer.config.iss}\n${jti}`, (exp + skew) * 1000, current.getTime());
      if (verdict === 'replayed') throw new AuthFailure('jti has already been used (replay)');
      if (verdict === 'full') throw new AuthFailure('replay cache is full of live tokens; refusing (raise security.auth.replayCacheSize)');
      if (o.sharedReplay && !(await claimShared(o, `${issuer.config.iss}\n${jti}`, new Date((exp + skew) * 1000), current))) {
        throw new AuthFailure('jti has already been used (replay, seen by another replica)');
      }
      return {
        kind: 'jwt',
        name: issuer.config.name ?? issuer.config.iss,
        iss: issuer.config.iss,
        ...(tenant ? { tenant } : {}),
        ...(typeof payload.sub === 'string' ? { sub: payload.sub } : {}),
        fhirServers: issuer.config.fhirServers,
      };
    },
  };
}

/** Claims the token in the shared guard; if that guard is unreachable, reports it and lets the local verdict stand. */
async function claimShared(o: VerifierOptions, key: string, expiresAt: Date, now: Date): Promise<boolean> {
  try {
    return await o.sharedReplay!.claim(key, expiresAt, now);
  } catch (err) {
    o.onSharedReplayError?.(err);
    return true;
  }
}

/** A log-safe reason from a jose error (codes and claim names only; jose messages never include the token). */
function describeJoseError(e: unknown): string {
  if (e instanceof AuthFailure) return e.message;
  if (e instanceof joseErrors.JOSEError) return `${e.code}: ${e.message}`.slice(0, 200);
  return 'verification failed';
}

/**
 * The URL the EHR called, which a token's `aud` must equal: `publicBaseUrl` + path when configured;
 * otherwise protocol and host of the request (X-Forwarded-Proto/Host count only under `trust proxy`).
 */
export function endpointUrl(req: Request, publicBaseUrl: string | undefined): string {
  const path = req.originalUrl.split('?')[0] ?? '/';
  if (publicBaseUrl) return publicBaseUrl.replace(/\/+$/, '') + path;
  return `${req.protocol}://${req.host}${path}`;
}

/** `Authorization: Bearer <token>` → token, or a reason it is missing/malformed. */
export function bearerToken(header: string | undefined): { token: string } | { reason: string } {
  if (header === undefined || header === '') return { reason: 'missing Authorization header' };
  const m = /^Bearer +([^\s]+) *$/i.exec(header);
  if (!m) return { reason: 'malformed Authorization header (expected "Bearer <JWT>")' };
  return { token: m[1]! };
}
