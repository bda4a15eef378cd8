/**
 * Development only: loads the example patients into a FHIR server (the compose stack's) as transactions.
 *
 *   node dist/src/cli/seed-fhir.js --fhir http://localhost:8081/fhir [--wait 180] examples/patients/*.json
 *   node dist/src/cli/seed-fhir.js --fhir http://fhir:8080/fhir --all examples/patients
 *
 * Exit codes: 0 every file loaded, 1 the server refused or was not ready, 2 bad arguments or files.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseCommandLine, runCli, UsageError } from './cli-run';
import { postTransaction, toTransaction, waitForFhirServer } from '../dev/fhir-seed';

const USAGE = 'usage: seed-fhir --fhir URL [--wait SECONDS] (FILE.json… | --all DIR)';

export { UsageError } from './cli-run';

function files(positionals: string[], all: string | undefined): string[] {
  const listed = all
    ? readdirSync(all)
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((f) => path.join(all, f))
    : [];
  const out = [...positionals, ...listed];
  if (!out.length) throw new UsageError(`no bundle files\n${USAGE}`);
  return out;
}

export async function main(argv: string[], out: (s: string) => void = (s) => process.stdout.write(`${s}\n`)): Promise<number> {
  const { values: given, positionals } = parseCommandLine(argv, { fhir: { type: 'string' }, wait: { type: 'string' }, all: { type: 'string' } }, USAGE);
  const values = { ...given, wait: given.wait ?? '0' };
  if (!values.fhir || !/^https?:\/\//.test(values.fhir)) throw new UsageError(`--fhir must be an http(s) URL\n${USAGE}`);
  const wait = Number(values.wait);
  if (!Number.isFinite(wait) || wait < 0) throw new UsageError(`--wait must be a number of seconds\n${USAGE}`);
  const transactions = files(positionals, values.all).map((file) => {
    let bundle: unknown;
    try {
      bundle = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new UsageError(`${file}: ${(e as Error).message}`);
    }
    if (typeof bundle !== 'object' || bundle === null) throw new UsageError(`${file}: not a FHIR resource`);
    try {
      return { file, transaction: toTransaction(bundle as Record<string, unknown>, file) };
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  });
  if (wait > 0) await waitForFhirServer(values.fhir, wait * 1000);
  for (const { file, transaction } of transactions) {
    const n = await postTransaction(values.fhir, transaction);
    out(`${file}: ${n} resources written to ${values.fhir}`);
  }
  return 0;
}

if (require.main === module) runCli('seed-fhir', main);
