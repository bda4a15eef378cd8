/**
 * Engine stages, in process: timeline / assessment / cards, median ms over batches.
 *   npx tsc -p tsconfig.build.json && node dist/bench/stages.js [N] [batches]
 * Evaluates a small pool of separately parsed copies of one request in turn (as run.ts's engine figure
 * evaluates one parsed request repeatedly); no caches keyed by object identity exist in the engine.
 */
import { defaultKnowledge } from '../src/knowledge';
import { loadCardContent } from '../src/render/content';
import { createTimelineBuilder } from '../src/timeline';
import { assess } from '../src/criteria';
import { renderCards } from '../src/render/cards';
import { generateHookRequest } from './generate';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const n = Number(args[0] ?? 1000);
const batches = Number(args[1] ?? 15);
const perBatch = Math.max(5, Math.round(400_000 / n / 2));
const content = loadCardContent();
const build = createTimelineBuilder(defaultKnowledge);
const { body, patientId } = generateHookRequest(n);
const text = JSON.stringify(body);
/** `--reuse`: one parsed copy evaluated every time (as run.ts's engine figure does), else a pool of 8. */
const poolSize = process.argv.includes('--reuse') ? 1 : 8;
const pool = Array.from({ length: poolSize }, () => Object.values((JSON.parse(text) as typeof body).prefetch as Record<string, unknown>));
const now = new Date('2026-03-15T12:00:00Z');
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const tl: number[] = [], as: number[] = [], rc: number[] = [], tot: number[] = [];
for (let b = 0; b < batches + 2; b++) {
  let t1s = 0, t2s = 0, t3s = 0;
  for (let i = 0; i < perBatch; i++) {
    const t0 = performance.now();
    const timeline = build(pool[i % pool.length]!, { patientId });
    const t1 = performance.now();
    const a = assess(timeline, now.toISOString(), defaultKnowledge);
    const t2 = performance.now();
    renderCards(a, { patientId, now }, content, () => 'x');
    const t3 = performance.now();
    t1s += t1 - t0; t2s += t2 - t1; t3s += t3 - t2;
  }
  if (b < 2) continue; // warm-up
  tl.push(t1s / perBatch); as.push(t2s / perBatch); rc.push(t3s / perBatch); tot.push((t1s + t2s + t3s) / perBatch);
}
console.log(`N=${n} median ms: timeline ${med(tl).toFixed(3)} assess ${med(as).toFixed(3)} render ${med(rc).toFixed(3)} total ${med(tot).toFixed(3)} (${(1000 / med(tot)).toFixed(0)}/s); fastest batch ${Math.min(...tot).toFixed(3)} ms`);
