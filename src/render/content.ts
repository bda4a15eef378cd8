/**
 * Card content: the reviewable wording, sources, override reasons and work-up catalogue that live as JSON under
 * the repository's `cards/` folder (the indicator rules are knowledge: `indicator` in src/knowledge). Code renders;
 * clinicians review the JSON.
 *
 * A site overrides the content by copying `cards/` and pointing `CARDS_DIR` (config `cardsDir`) at its copy.
 * Everything is validated at start-up; invalid content throws `CardContentError` naming the file and key. The
 * schemas, one file per content file, are in ./content-schema/.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { issuePath } from '../vocabulary';
import { overrideReasonsSchema, sourcesSchema, workupSchema } from './content-schema/catalogue';
import { comment, text } from './content-schema/parts';
import { wordingSchema } from './content-schema/wording';

export type { WorkupItem } from './content-schema/catalogue';

export class CardContentError extends Error {
  override name = 'CardContentError';
}

const MANIFEST_FILE = 'manifest.json';

// ------------------------------------------------------------------------------------------------ files

const manifestSchema = z
  .object({
    ...comment,
    contentVersion: text,
    files: z
      .object({
        wording: text,
        sources: text,
        overrideReasons: text,
        workup: text,
        indicatorRules: z
          .never({ error: 'indicator rules are clinical knowledge now: set them under `indicator` in the knowledge file (docs/knowledge.md)' })
          .optional(),
      })
      .strict(),
  })
  .strict();

export interface CardContent {
  contentVersion: string;
  /** Directory the content was loaded from (for logs). */
  dir: string;
  wording: z.infer<typeof wordingSchema>;
  sources: z.infer<typeof sourcesSchema>;
  overrideReasons: z.infer<typeof overrideReasonsSchema>;
  workup: z.infer<typeof workupSchema>;
}

// ------------------------------------------------------------------------------------------------ loading

/** The shipped `cards/` folder: walks up from this module (src/render under ts-jest, dist/src/render when built). */
export function defaultCardsDir(from: string = __dirname): string {
  let dir = from;
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'cards');
    if (existsSync(path.join(candidate, MANIFEST_FILE))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new CardContentError(`card content: no cards/${MANIFEST_FILE} found above ${from}; set CARDS_DIR`);
}

function readJson(file: string): unknown {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CardContentError(`card content: cannot read ${file}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(raw);
  } catch (e) {
    throw new CardContentError(`card content: ${file} is not valid JSON: ${(e as Error).message}`);
  }
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown, file: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => `${path.basename(file)}: ${issuePath(i.path) || '(root)'}: ${i.message}`);
  throw new CardContentError(`invalid card content in ${path.dirname(file)}:\n  ${lines.join('\n  ')}`);
}

/**
 * Loads and validates the card content. `dir` defaults to the shipped `cards/` folder; sites pass their
 * `CARDS_DIR`. Throws `CardContentError` (message names the file and the bad key) on any problem.
 */
export function loadCardContent(dir?: string): CardContent {
  const root = path.resolve(dir ?? defaultCardsDir());
  const manifestFile = path.join(root, MANIFEST_FILE);
  const manifest = parseWith(manifestSchema, readJson(manifestFile), manifestFile);
  const load = <T>(schema: z.ZodType<T>, name: string): T => {
    const file = path.resolve(root, name);
    if (path.relative(root, file).startsWith('..')) {
      throw new CardContentError(`card content: ${MANIFEST_FILE}: files entry "${name}" points outside ${root}`);
    }
    return parseWith(schema, readJson(file), file);
  };
  return {
    contentVersion: manifest.contentVersion,
    dir: root,
    wording: load(wordingSchema, manifest.files.wording),
    sources: load(sourcesSchema, manifest.files.sources),
    overrideReasons: load(overrideReasonsSchema, manifest.files.overrideReasons),
    workup: load(workupSchema, manifest.files.workup),
  };
}
