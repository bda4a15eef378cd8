/**
 * Test helpers to mint CDS Hooks client JWTs. Keys are generated per test run with jose; the
 * spec's published example key (fixtures) is a test identity only.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK, type KeyLike } from 'jose';
import type { ConfigInput } from '../../src/config/schema';

/** The CDS Hooks 2.0.1 specification's JSON examples, vendored so the suite runs on a fresh clone (test/fixtures). */
export const FIXTURES = join(__dirname, '../fixtures/cds-hooks-spec');

export const TEST_ISS = 'https://ehr.test.example/';
export const PUBLIC_BASE = 'https://cds.test.example';
export const SERVICE_PATH = '/cds-services/hlh-screen';
export const SERVICE_AUD = `${PUBLIC_BASE}${SERVICE_PATH}`;

/** A public JWK as the security config schema types it. */
export type PublicJwk = { kty: 'EC' | 'RSA' | 'OKP'; kid?: string; alg?: string; [member: string]: unknown };

export interface TestKey {
  alg: 'ES384' | 'RS384';
  kid: string;
  privateKey: KeyLike | Uint8Array;
  publicJwk: PublicJwk;
}

export async function testKey(alg: 'ES384' | 'RS384', kid = `${alg.toLowerCase()}-${randomUUID().slice(0, 8)}`): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } as PublicJwk;
  return { alg, kid, privateKey, publicJwk };
}

/** The specification's example key pair (ES384, kid "example-kid"). */
export async function specKey(): Promise<TestKey> {
  const jwk = JSON.parse(readFileSync(join(FIXTURES, 'private-jwk-for-tests.json'), 'utf8')) as JWK;
  const publicJwks = JSON.parse(readFileSync(join(FIXTURES, 'jwks.json'), 'utf8')) as { keys: PublicJwk[] };
  return { alg: 'ES384', kid: jwk.kid!, privateKey: await importJWK(jwk, 'ES384'), publicJwk: publicJwks.keys[0]! };
}

export interface MintOptions {
  iss?: string;
  aud?: string | string[];
  /** Seconds relative to now (default: iat now, exp +300). */
  iatOffset?: number;
  expOffset?: number;
  nbfOffset?: number;
  jti?: string | null;
  tenant?: string;
  /** Extra / overriding protected header members. */
  header?: Record<string, unknown>;
  /** Remove these claims entirely. */
  omit?: string[];
  now?: Date;
}

/** A signed compact JWT as an EHR would send it (ES384/RS384 per key). */
export async function mintToken(key: TestKey, o: MintOptions = {}): Promise<string> {
  const nowSec = Math.floor((o.now ?? new Date()).getTime() / 1000);
  const claims: Record<string, unknown> = {
    iss: o.iss ?? TEST_ISS,
    aud: o.aud ?? SERVICE_AUD,
    iat: nowSec + (o.iatOffset ?? 0),
    exp: nowSec + (o.expOffset ?? 300),
    jti: o.jti === undefined ? randomUUID() : o.jti,
    ...(o.nbfOffset !== undefined ? { nbf: nowSec + o.nbfOffset } : {}),
    ...(o.tenant ? { tenant: o.tenant } : {}),
  };
  if (o.jti === null) delete claims.jti;
  for (const k of o.omit ?? []) delete claims[k];
  return new SignJWT(claims).setProtectedHeader({ alg: key.alg, typ: 'JWT', kid: key.kid, ...o.header }).sign(key.privateKey);
}

const b64url = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/** An unsigned token (`alg: none`). */
export function unsignedToken(claims: Record<string, unknown>, header: Record<string, unknown> = { alg: 'none', typ: 'JWT' }): string {
  return `${b64url(header)}.${b64url(claims)}.`;
}

/** Standard claims for hand-built tokens. */
export function claimsFor(o: { iss?: string; aud?: string } = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { iss: o.iss ?? TEST_ISS, aud: o.aud ?? SERVICE_AUD, iat: now, exp: now + 300, jti: randomUUID() };
}

/** HS256 "signed" with the issuer's public key as the HMAC secret (the classic key-confusion attack). */
export async function hmacWithPublicKey(key: TestKey, claims = claimsFor()): Promise<string> {
  const secret = new TextEncoder().encode(JSON.stringify(key.publicJwk));
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: key.kid }).sign(secret);
}

/** A `security` config input registering one issuer with the given public keys. */
export function securityInput(
  keys: TestKey[],
  extra: { issuer?: Record<string, unknown>; auth?: Record<string, unknown>; fhir?: Record<string, unknown>; publicBaseUrl?: string } = {},
): NonNullable<ConfigInput['security']> {
  return {
    publicBaseUrl: extra.publicBaseUrl ?? PUBLIC_BASE,
    auth: {
      issuers: [{ iss: TEST_ISS, jwks: { keys: keys.map((k) => k.publicJwk) }, fhirServers: ['https://fhir.test.example/r4'], ...extra.issuer }],
      ...extra.auth,
    },
    ...(extra.fhir ? { fhir: extra.fhir } : {}),
  } as NonNullable<ConfigInput['security']>;
}
