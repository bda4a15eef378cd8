/**
 * Engine driver for profiling: runs the production evaluator in a loop on one generated request.
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof dist/bench/profile-engine.js [N] [iterations] [--reuse]
 *   node dist/bench/profile-summary.js /tmp/prof/<file>.cpuprofile   # self time by function
 * By default every iteration evaluates a freshly parsed copy of the request body, as the service does (caches keyed
 * by object identity never hit in production); the parse is timed separately and excluded from the engine figure.
 * `--reuse` evaluates the same objects every time (the old behaviour). Times are process CPU time (user + system).
 */
import { configSchema } from '../src/config/schema';
import { createRuntime } from '../src/app';
import { createLogger } from '../src/log/logger';
import { generateHookRequest } from './generate';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const reuse = process.argv.includes('--reuse');
const n = Number(args[0] ?? 1000);
const iterations = Number(args[1] ?? 200);
const config = configSchema.parse({ logLevel: 'silent', security: { auth: { mode: 'disabled-dev' } } });
const runtime = createRuntime(config, createLogger('silent'));
const { body, patientId } = generateHookRequest(n);
const text = JSON.stringify(body);
const dataOf = (b: typeof body) => ({ resources: Object.values(b.prefetch as Record<string, unknown>), issues: [], sources: {} });
const fixed = dataOf(body);
const ctx = { patientId, userId: 'Practitioner/bench', now: new Date('2026-03-15T12:00:00Z') };
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const fresh = () => (reuse ? fixed : dataOf(JSON.parse(text) as typeof body));
for (let w = 0; w < 5; w++) runtime.evaluator(fresh(), ctx);
let engineMs = 0;
let parseMs = 0;
for (let i = 0; i < iterations; i++) {
  const p0 = cpu();
  const data = fresh();
  const t0 = cpu();
  runtime.evaluator(data, ctx);
  const t1 = cpu();
  parseMs += t0 - p0;
  engineMs += t1 - t0;
}
console.log(
  `N=${n}${reuse ? ' (reused objects)' : ''}: ${(engineMs / iterations).toFixed(2)} ms CPU/evaluation, ` +
    `${((iterations / engineMs) * 1000).toFixed(0)}/s` + (reuse ? '' : ` (parse ${(parseMs / iterations).toFixed(2)} ms, excluded)`),
);
