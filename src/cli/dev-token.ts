/**
 * Development only: the local EHR's key pair and tokens for calling the running stack (see README "Local stack").
 *
 *   node dist/src/cli/dev-token.js keys [--dir dev/keys]
 *       creates the key pair once (dev/keys/issuer-private.jwk.json, issuer-jwks.json) and prints the issuer entry
 *   node dist/src/cli/dev-token.js mint --aud http://localhost:8080/cds-services/hlh-screen [--dir dev/keys]
 *                                       [--key FILE] [--iss ISS] [--lifetime SECONDS]
 *       prints one signed JWT for that endpoint (fresh jti: one token per call)
 *
 * Exit codes: 0 ok, 2 bad arguments, 1 anything else.
 */
import path from 'node:path';
import { parseCommandLine, runCli, UsageError } from './cli-run';
import { createDevKeys, DEV_ISSUER, loadDevKey, mintDevToken, PRIVATE_KEY_FILE } from '../dev/dev-issuer';

export const DEFAULT_KEY_DIR = 'dev/keys';

const USAGE = `usage: dev-token keys [--dir DIR]
       dev-token mint --aud URL [--dir DIR | --key FILE] [--iss ISS] [--lifetime SECONDS]`;

export { UsageError } from './cli-run';

function options(argv: string[]) {
  const { values, positionals } = parseCommandLine(
    argv,
    { dir: { type: 'string' }, key: { type: 'string' }, aud: { type: 'string' }, iss: { type: 'string' }, lifetime: { type: 'string' } },
    USAGE,
  );
  return { positionals, values: { ...values, dir: values.dir ?? DEFAULT_KEY_DIR, iss: values.iss ?? DEV_ISSUER, lifetime: values.lifetime ?? '300' } };
}

export async function main(argv: string[], out: (s: string) => void = (s) => process.stdout.write(`${s}\n`)): Promise<number> {
  const { values, positionals } = options(argv);
  const [command, ...extra] = positionals;
  if (extra.length) throw new UsageError(`unexpected ${extra.join(' ')}\n${USAGE}`);
  if (command === 'keys') {
    const files = await createDevKeys(values.dir);
    out(`${files.created ? 'created' : 'kept the existing'} ${files.privateKey} (private, 0600) and ${files.jwks} (public)`);
    out(`registered issuer: {"iss": "${DEV_ISSUER}", "jwks": {"file": "${files.jwks}"}} (dev/stack-config.json)`);
    return 0;
  }
  if (command === 'mint') {
    if (!values.aud || !/^https?:\/\//.test(values.aud)) throw new UsageError(`--aud must be the URL called, e.g. http://localhost:8080/cds-services/hlh-screen\n${USAGE}`);
    const lifetime = Number(values.lifetime);
    if (!Number.isInteger(lifetime) || lifetime < 10 || lifetime > 3600) throw new UsageError('--lifetime must be 10..3600 seconds');
    const key = await loadDevKey(values.key ?? path.join(values.dir, PRIVATE_KEY_FILE));
    out(await mintDevToken(key, { aud: values.aud, iss: values.iss, lifetimeSeconds: lifetime }));
    return 0;
  }
  throw new UsageError(USAGE);
}

if (require.main === module) runCli('dev-token', main);
