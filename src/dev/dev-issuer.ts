/**
 * Development only: a local "EHR" that signs CDS Hooks client JWTs, so calls to the local stack go through the
 * same authentication as production (CDS Hooks 2.0 §Trusting CDS Clients). `createDevKeys` writes an ES384 key
 * pair: the private JWK (mode 0600, never leaves the machine) and the public JWK Set that the service's config
 * registers as an issuer (dev/stack-config.json). `mintDevToken` signs one token for one endpoint: `aud` is
 * the URL called and `jti` is fresh, so every call needs its own token.
 */
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK, type KeyLike } from 'jose';

/** The `iss` of the development issuer registered in dev/stack-config.json. */
export const DEV_ISSUER = 'urn:hlh-sentinel:dev-ehr';
const DEV_ALG = 'ES384';
export const PRIVATE_KEY_FILE = 'issuer-private.jwk.json';
export const PUBLIC_JWKS_FILE = 'issuer-jwks.json';

export interface DevKeyFiles {
  privateKey: string;
  jwks: string;
  created: boolean;
}

/** Creates the key pair in `dir` unless it is already there (the registered public key must not change). */
export async function createDevKeys(dir: string): Promise<DevKeyFiles> {
  const files = { privateKey: path.join(dir, PRIVATE_KEY_FILE), jwks: path.join(dir, PUBLIC_JWKS_FILE) };
  if (existsSync(files.privateKey) && existsSync(files.jwks)) return { ...files, created: false };
  const { privateKey, publicKey } = await generateKeyPair(DEV_ALG, { extractable: true });
  const kid = `dev-${randomUUID().slice(0, 8)}`;
  const priv = { ...(await exportJWK(privateKey)), kid, alg: DEV_ALG, use: 'sig' };
  const pub = { ...(await exportJWK(publicKey)), kid, alg: DEV_ALG, use: 'sig' };
  // The service (another user in a container) reads the public key set through a bind mount.
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  writeFileSync(files.privateKey, `${JSON.stringify(priv, null, 2)}\n`, { mode: 0o600 });
  chmodSync(files.privateKey, 0o600);
  writeFileSync(files.jwks, `${JSON.stringify({ keys: [pub] }, null, 2)}\n`, { mode: 0o644 });
  return { ...files, created: true };
}

export interface DevSigningKey {
  kid: string;
  alg: string;
  key: KeyLike | Uint8Array;
}

/** Reads a private JWK written by `createDevKeys` (or any EC/RSA private JWK with `kid` and `alg`). */
export async function loadDevKey(file: string): Promise<DevSigningKey> {
  let jwk: JWK;
  try {
    jwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
  } catch (e) {
    throw new Error(`${file}: cannot read a private JWK (${(e as Error).message}); create one with: npm run dev:token -- keys`);
  }
  if (!jwk.d || !jwk.kid || !jwk.alg) throw new Error(`${file}: not a private JWK with kid and alg`);
  return { kid: jwk.kid, alg: jwk.alg, key: await importJWK(jwk, jwk.alg) };
}

/** One signed token for one call: `aud` the URL called, fresh `jti`, short lifetime. */
export async function mintDevToken(
  key: DevSigningKey,
  claims: { aud: string; iss?: string; lifetimeSeconds?: number; now?: Date },
): Promise<string> {
  const iat = Math.floor((claims.now ?? new Date()).getTime() / 1000);
  return new SignJWT({ jti: randomUUID() })
    .setProtectedHeader({ alg: key.alg, typ: 'JWT', kid: key.kid })
    .setIssuer(claims.iss ?? DEV_ISSUER)
    .setAudience(claims.aud)
    .setIssuedAt(iat)
    .setExpirationTime(iat + (claims.lifetimeSeconds ?? 300))
    .sign(key.key);
}
