/**
 * Building blocks of the card-content schemas: required texts, `$comment`, one text per engine code, and templates
 * whose `{placeholders}` are checked against what their producer fills.
 */
import { z } from 'zod';

export const text = z.string().min(1);
export const comment = { $comment: z.string().optional() };

/** One text per code of `codes` (no more, no less): a site's copy is refused when a code lacks its wording. */
export function byCode<C extends string>(codes: readonly C[], value: z.ZodString) {
  return z.strictObject(Object.fromEntries(codes.map((c) => [c, value])) as Record<C, z.ZodString>);
}

const PLACEHOLDER = /\{([a-zA-Z]+)\}/g;

/**
 * One template per code, using only the `{placeholders}` the code's producer fills (src/vocabulary/data-issues.ts):
 * a site's sentence naming a parameter that never comes would show the raw `{name}` on a card.
 */
export function templates<C extends string>(params: Readonly<Record<C, readonly string[]>>) {
  const codes = Object.keys(params) as C[];
  return byCode(codes, text)
    .extend(comment)
    .superRefine((w, ctx) => {
      for (const c of codes) {
        const allowed = params[c];
        for (const [, name] of ((w as Record<string, string>)[c] as string).matchAll(PLACEHOLDER)) {
          if (allowed.includes(name as string)) continue;
          const known = allowed.length ? allowed.map((a) => `{${a}}`).join(', ') : 'none';
          ctx.addIssue({ code: 'custom', path: [c], message: `unknown placeholder {${name}} (${c} fills: ${known})` });
        }
      }
    });
}
