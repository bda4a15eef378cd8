/**
 * Timeline extraction benchmark (target: a 1,000-Observation prefetch in a few milliseconds).
 *
 *   npx tsc -p tsconfig.build.json && node dist/bench/timeline.bench.js
 *
 * Generates realistic mixed prefetches (ferritin/chemistry in assorted units and spellings, CBC panels with
 * components, temperatures in °F, numeric strings with comparators, and ~30% unrelated Observations such as
 * blood pressure or sodium) plus a few medications and conditions, then reports the median wall time of
 * several extractions per size, after warm-up. It also times the FHIRPath field access alone on the same
 * resources, to show how much of the total it costs. First, it times the engine benchmark's hook requests
 * (bench/generate.ts, N = 100 / 1,000 / 10,000) with the Observation fast path and with the FHIRPath
 * reference path (`fhirpathOnly`).
 */
import { defaultKnowledge } from '../src/knowledge';
import { createTimelineBuilder } from '../src/timeline';
import { compiledFields } from '../src/timeline/fhirpath';
import { generateHookRequest } from './generate';

const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';

type J = Record<string, unknown>;

/** Small deterministic PRNG so every run measures the same input. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const KINDS: ((i: number, r: () => number) => J)[] = [
  (_i, r) => ({ code: '2276-4', valueQuantity: { value: Math.round(300 + r() * 20000), unit: 'ng/mL', system: UCUM, code: 'ng/mL' } }),
  (_i, r) => ({ code: '2276-4', valueQuantity: { value: Math.round(300 + r() * 20000), unit: 'ug/L' } }),
  () => ({ code: '2276-4', valueString: '>40000 ng/mL' }),
  (_i, r) => ({ code: '3255-7', valueQuantity: { value: +(0.8 + r() * 3).toFixed(2), unit: 'g/L' } }),
  (_i, r) => ({ code: '1742-6', valueQuantity: { value: Math.round(20 + r() * 400), unit: 'IU/L' }, referenceRange: [{ high: { value: 40, unit: 'U/L' } }] }),
  (_i, r) => ({ code: '1920-8', valueQuantity: { value: Math.round(20 + r() * 400), unit: 'U/L', system: UCUM, code: 'U/L' } }),
  (_i, r) => ({ code: '14927-8', valueQuantity: { value: +(0.8 + r() * 5).toFixed(2), unit: 'mmol/L' } }),
  (_i, r) => ({ code: '1975-2', valueQuantity: { value: Math.round(5 + r() * 80), unit: 'µmol/L' } }),
  (_i, r) => ({ code: '8310-5', valueQuantity: { value: +(97 + r() * 7).toFixed(1), unit: '°F' } }),
  (_i, r) => ({
    code: '58410-2',
    component: [
      { code: { coding: [{ system: LOINC, code: '718-7' }] }, valueQuantity: { value: Math.round(60 + r() * 80), unit: 'g/L' } },
      { code: { coding: [{ system: LOINC, code: '777-3' }] }, valueQuantity: { value: Math.round(10 + r() * 300), unit: 'K/uL' } },
      { code: { coding: [{ system: LOINC, code: '6690-2' }] }, valueQuantity: { value: +(0.5 + r() * 12).toFixed(1), unit: '10*3/uL' } },
      { code: { coding: [{ system: LOINC, code: '751-8' }] }, valueQuantity: { value: +(0.1 + r() * 8).toFixed(2), unit: 'x10^9/L' } },
      { code: { coding: [{ system: LOINC, code: '787-2' }] }, valueQuantity: { value: 90, unit: 'fL' } },
    ],
  }),
  // unrelated Observations (the bulk of a real vital-signs/lab prefetch)
  (_i, r) => ({ code: '2951-2', valueQuantity: { value: Math.round(130 + r() * 15), unit: 'mmol/L' } }),
  (_i, r) => ({ code: '8867-4', valueQuantity: { value: Math.round(60 + r() * 60), unit: '/min' } }),
  () => ({ code: '85354-9', component: [{ code: { coding: [{ system: LOINC, code: '8480-6' }] }, valueQuantity: { value: 120, unit: 'mm[Hg]' } }] }),
];

function observations(n: number, seed: number): J[] {
  const r = rng(seed);
  const start = Date.UTC(2026, 0, 1);
  const out: J[] = [];
  for (let i = 0; i < n; i++) {
    const kind = KINDS[Math.floor(r() * KINDS.length)] as (i: number, r: () => number) => J;
    const { code, ...value } = kind(i, r);
    out.push({
      resourceType: 'Observation',
      id: `obs-${seed}-${i}`,
      status: r() < 0.05 ? 'preliminary' : 'final',
      code: { coding: [{ system: LOINC, code, display: 'lab test' }] },
      subject: { reference: 'Patient/p1' },
      effectiveDateTime: new Date(start + Math.floor(r() * 90) * 3_600_000 * 24 + Math.floor(r() * 24) * 3_600_000).toISOString(),
      ...value,
    });
  }
  return out;
}

const others: J[] = [
  { resourceType: 'Patient', id: 'p1', birthDate: '1960-01-01', gender: 'male' },
  { resourceType: 'Procedure', id: 'car', status: 'completed', subject: { reference: 'Patient/p1' }, code: { text: 'Carvykti infusion' }, performedDateTime: '2026-01-10' },
  {
    resourceType: 'MedicationRequest',
    id: 'lam',
    status: 'active',
    intent: 'order',
    subject: { reference: 'Patient/p1' },
    medicationCodeableConcept: { text: 'lamotrigine 25 mg tablet' },
    dosageInstruction: [{ timing: { repeat: { boundsPeriod: { start: '2026-01-01' }, frequency: 1, period: 1, periodUnit: 'd' } }, doseAndRate: [{ doseQuantity: { value: 25, unit: 'mg' } }] }],
  },
  { resourceType: 'Condition', id: 'crs', subject: { reference: 'Patient/p1' }, code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'D89.832' }] }, onsetDateTime: '2026-01-12' },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Median wall time and median CPU time (user + system, all threads incl. GC) in ms. CPU time is the
 * steadier figure on a shared machine: it does not count time the process spent descheduled. */
function time(fn: () => void, runs: number): number;
function time(fn: () => void, runs: number, withCpu: true): { wall: number; cpu: number; min: number };
function time(fn: () => void, runs: number, withCpu?: true): number | { wall: number; cpu: number; min: number } {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    fn();
    wall.push(Number(process.hrtime.bigint() - t0) / 1e6);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return withCpu ? { wall: median(wall), cpu: median(cpu), min: Math.min(...wall) } : median(wall);
}

/**
 * The engine benchmark's data (bench/generate.ts hook requests, as the service receives them: Bundles with
 * fullUrls), timeline only: fast path vs the FHIRPath reference path (`fhirpathOnly`), CPU medians.
 */
function hookRequests(): void {
  const build = createTimelineBuilder(defaultKnowledge);
  const reference = createTimelineBuilder(defaultKnowledge, { fhirpathOnly: true });
  for (const n of [100, 1_000, 10_000]) {
    const { body, patientId } = generateHookRequest(n);
    const resources = Object.values(body.prefetch as Record<string, unknown>);
    const runs = n >= 10_000 ? 31 : n >= 1_000 ? 301 : 1001;
    for (let i = 0; i < 10; i++) {
      build(resources, { patientId });
      reference(resources, { patientId });
    }
    const fast = time(() => build(resources, { patientId }), runs, true);
    const ref = time(() => reference(resources, { patientId }), runs, true);
    console.log(
      `hook request N=${n.toLocaleString('en-US')}: timeline ${fast.cpu.toFixed(2)} ms CPU (${fast.wall.toFixed(2)} ms wall) ` +
        `vs FHIRPath reference path ${ref.cpu.toFixed(2)} ms CPU (${ref.wall.toFixed(2)} ms wall)`,
    );
  }
}

function main(): void {
  hookRequests();
  const t0 = process.hrtime.bigint();
  const build = createTimelineBuilder(defaultKnowledge);
  const setupMs = Number(process.hrtime.bigint() - t0) / 1e6;
  console.log(`builder setup (tables + FHIRPath compile): ${setupMs.toFixed(1)} ms`);
  const fields = compiledFields();

  for (const n of [1_000, 10_000]) {
    const obs = observations(n, n);
    const input = [...others, ...obs];
    const asBundle = [{ resourceType: 'Bundle', type: 'searchset', entry: input.map((resource) => ({ resource })) }];
    const runs = n >= 10_000 ? 15 : 101;
    const firstT0 = process.hrtime.bigint();
    const timeline = build(input, { patientId: 'p1' });
    const firstMs = Number(process.hrtime.bigint() - firstT0) / 1e6;
    for (let i = 0; i < 5; i++) build(input, { patientId: 'p1' }); // warm-up
    const m = time(() => build(input, { patientId: 'p1' }), runs, true);
    const bundleMs = time(() => build(asBundle, { patientId: 'p1' }), runs);
    // FHIRPath share: the builder's batched field accesses alone (upper bound: over every Observation,
    // where the builder only evaluates the code-prefiltered ones).
    const withComponents = obs.filter((o) => o.component);
    const fpMs = time(() => {
      fields.observationValue(obs, { resource: obs });
      fields.observationEffective(obs, { resource: obs });
      fields.observationComponentValue(withComponents, { resource: withComponents });
    }, runs);
    const fpPerResourceMs = time(() => {
      for (const o of obs) {
        fields.observationValue(o, { resource: o });
        fields.observationEffective(o, { resource: o });
        if (o.component) fields.observationComponentValue(o, { resource: o });
      }
    }, runs);
    const values = Object.values(timeline.labs).reduce((sum, list) => sum + (list?.length ?? 0), 0);
    console.log(
      `${n.toLocaleString('en-US')} Observations: median ${m.wall.toFixed(2)} ms wall / ${m.cpu.toFixed(2)} ms CPU per extraction ` +
        `(fastest ${m.min.toFixed(2)} ms; ` +
        `as one Bundle ${bundleMs.toFixed(2)} ms; first, cold call ${firstMs.toFixed(1)} ms; ` +
        `FHIRPath field access alone ${fpMs.toFixed(2)} ms batched vs ${fpPerResourceMs.toFixed(2)} ms per resource) → ${values} lab values, ` +
        `${timeline.notEvaluable.length} not evaluable, ${timeline.conflicts.length} conflicts, ${timeline.exposures.length} exposures`,
    );
  }
}

main();
