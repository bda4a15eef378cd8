/**
 * What every command-line tool shares: argument parsing on node:util `parseArgs`, one error type for bad
 * arguments, and one way to end. Exit codes: 0 done (and `--help`, printed to stdout), 2 bad arguments (the
 * message and the usage on stderr), 1 anything else (the message only: no stack trace).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Bad arguments or input files: the caller fixes the command line. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** `--help` / `-h`: not an error; the usage goes to stdout. */
export class HelpRequested extends Error {
  override name = 'HelpRequested';
  constructor(readonly usage: string) {
    super(usage);
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs, strict, with `--help`; its errors become UsageErrors that carry the usage text. */
export function parseCommandLine<O extends Options>(argv: readonly string[], options: O, usage: string, positionals = true) {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], strict: true, allowPositionals: positionals, options: { ...options, help: { type: 'boolean', short: 'h' } } });
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n${usage}`);
  }
  if ((parsed.values as { help?: boolean }).help) throw new HelpRequested(usage);
  return parsed as { values: { [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string }; positionals: string[] };
}

/** The message a failed run prints (without stack), prefixed with the tool's name. */
export function failureMessage(tool: string, e: unknown): string {
  return `${tool}: ${e instanceof Error ? e.message : String(e)}`;
}

/** Runs a tool's `main` as the process: prints help or the failure, and exits with the code above. */
export function runCli(tool: string, main: (argv: string[]) => Promise<number>): void {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      if (e instanceof HelpRequested) {
        process.stdout.write(`${e.usage.trimEnd()}\n`);
        process.exit(0);
      }
      process.stderr.write(`${failureMessage(tool, e)}\n`);
      process.exit(e instanceof UsageError ? 2 : 1);
    },
  );
}
