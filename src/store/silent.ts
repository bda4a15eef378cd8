/** Silent mode, apart from the card log runtime: the evaluation workers split the cards without loading database drivers. */
import { z } from 'zod';
import type { CardIndicator } from './types';

const INDICATORS = ['info', 'warning', 'critical'] as const;

const flag = z.preprocess((v) => {
  if (typeof v !== 'string') return v;
  const s = v.trim().toLowerCase();
  return ['true', '1', 'yes', 'on'].includes(s) ? true : ['false', '0', 'no', 'off'].includes(s) ? false : v;
}, z.boolean());

/**
 * Silent mode: the service evaluates (and logs) as usual but withholds cards. `enabled` withholds every card;
 * `indicators` withholds only cards with those indicators (e.g. `["info"]`: show critical and warning).
 * Env: SILENT_MODE=true, SILENT_INDICATORS=info,warning.
 */
export const silentConfigSchema = z
  .object({
    enabled: flag.default(false),
    indicators: z
      .preprocess(
        (v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v),
        z.array(z.enum(INDICATORS)),
      )
      .default([]),
  })
  .strict();
export type SilentConfig = z.infer<typeof silentConfigSchema>;

function isSilenced(card: { indicator: CardIndicator }, silent: SilentConfig): boolean {
  return silent.enabled || silent.indicators.includes(card.indicator);
}

/** Splits evaluated cards into those returned and those withheld by silent mode. */
export function splitSilenced<C extends { indicator: CardIndicator }>(
  cards: C[],
  silent: SilentConfig,
): { shown: C[]; silenced: C[] } {
  const shown: C[] = [];
  const silenced: C[] = [];
  for (const c of cards) (isSilenced(c, silent) ? silenced : shown).push(c);
  return { shown, silenced };
}

