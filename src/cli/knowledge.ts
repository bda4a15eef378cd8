/**
 * Prints the effective clinical knowledge (the shipped defaults merged with a site's file) with each value's
 * setting, evidence status, citation and whether the site changed it:
 *
 *   node dist/src/cli/knowledge.js [--format md|json] [--knowledge FILE]
 *   node dist/src/cli/knowledge.js --write-docs DIR    (DIR/knowledge.md and DIR/knowledge.schema.json, from the defaults)
 *
 * Without --knowledge the file named by env KNOWLEDGE_FILE is used, as the service does. Exit codes: 0 ok, 2 bad
 * arguments, 1 invalid knowledge file.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { HelpRequested, parseCommandLine, runCli, UsageError } from './cli-run';
import { defaultKnowledge } from '../knowledge';
import { knowledgeFileJsonSchema } from '../knowledge/json-schema';
import { loadKnowledge } from '../knowledge/load';
import { knowledgeReport } from '../knowledge/report';
import { knowledgeMarkdown } from '../knowledge/report-markdown';

export const USAGE = `Usage: knowledge [--format md|json] [--knowledge FILE] | --write-docs DIR
  --format FORMAT    md (default): Markdown tables for review; json: every value with its fields
  --knowledge FILE   a site's knowledge file (default: env KNOWLEDGE_FILE; none: the shipped defaults)
  --write-docs DIR   write DIR/knowledge.md and DIR/knowledge.schema.json from the shipped defaults
  --help             this text
`;

export { UsageError } from './cli-run';

/** docs/knowledge.md: the report of the shipped defaults. */
export function defaultsMarkdown(): string {
  return knowledgeMarkdown(knowledgeReport(defaultKnowledge), { site: false });
}

/** docs/knowledge.schema.json. */
export function schemaJson(): string {
  return `${JSON.stringify(knowledgeFileJsonSchema(), null, 2)}\n`;
}

export function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, out: (s: string) => void = (s) => process.stdout.write(s)): number {
  let given;
  try {
    ({ values: given } = parseCommandLine(argv, { format: { type: 'string' }, knowledge: { type: 'string' }, 'write-docs': { type: 'string' } }, USAGE, false));
  } catch (e) {
    if (!(e instanceof HelpRequested)) throw e;
    out(USAGE);
    return 0;
  }
  const values = { ...given, format: given.format ?? 'md' };
  if (values['write-docs']) {
    writeFileSync(path.join(values['write-docs'], 'knowledge.md'), defaultsMarkdown());
    writeFileSync(path.join(values['write-docs'], 'knowledge.schema.json'), schemaJson());
    return 0;
  }
  if (values.format !== 'md' && values.format !== 'json') throw new UsageError(`--format must be md or json\n${USAGE}`);
  const file = values.knowledge ?? (env.KNOWLEDGE_FILE || undefined);
  const report = knowledgeReport(loadKnowledge(file));
  out(values.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : knowledgeMarkdown(report, { site: true }));
  return 0;
}

if (require.main === module) runCli('knowledge', async (argv) => main(argv));
