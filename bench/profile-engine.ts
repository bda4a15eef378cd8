/**
 * Engine driver for profiling: runs the production evaluator in a loop on one generated request.
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof dist/bench/profile-engine.js [N] [iterations]
 *   node dist/bench/profile-summary.js /tmp/prof/<file>.cpuprofile   # self time by function
 */
import { configSchema } from '../src/config/schema';
import { createRuntime } from '../src/app';
import { createLogger } from '../src/log/logger';
import { generateHookRequest } from './generate';

const n = Number(process.argv[2] ?? 1000);
const iterations = Number(process.argv[3] ?? 200);
const config = configSchema.parse({ logLevel: 'silent', security: { auth: { mode: 'disabled-dev' } } });
const runtime = createRuntime(config, createLogger('silent'));
const { body, patientId } = generateHookRequest(n);
const data = { resources: Object.values(body.prefetch as Record<string, unknown>), issues: [], sources: {} };
const ctx = { patientId, userId: 'Practitioner/bench', now: new Date('2026-03-15T12:00:00Z') };
for (let w = 0; w < 5; w++) runtime.evaluator(data, ctx);
const t0 = process.hrtime.bigint();
for (let i = 0; i < iterations; i++) runtime.evaluator(data, ctx);
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
console.log(`N=${n}: ${(ms / iterations).toFixed(2)} ms/evaluation, ${((iterations / ms) * 1000).toFixed(0)}/s`);
