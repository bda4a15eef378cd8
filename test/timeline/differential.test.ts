/**
 * Differential tests: the plain-TypeScript fast path for Observation fields must give exactly what FHIRPath
 * (the reference implementation, `createTimelineBuilder(k, { fhirpathOnly: true })`) gives.
 *
 * 1. Field level: `choiceField` against the compiled FHIRPath expression on messy elements (whenever the
 *    fast path accepts a shape, its node equals FHIRPath's only node).
 * 2. Timeline level: whole PatientTimelines from generated messy Observations (mixed units, comparators,
 *    statuses, components, missing fields, wrong types, primitive extensions…) and from the benchmark's
 *    realistic hook requests, compared deep-strict and as JSON text (same key order).
 * The existing timeline tests also run through both paths: see differential-existing.test.ts.
 */
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { generateHookRequest } from '../../bench/generate';
import { defaultKnowledge } from '../../src/knowledge';
import { createTimelineBuilder, type PatientTimeline } from '../../src/timeline';
import {
  choiceField,
  COMPONENT_VALUE,
  field,
  type FieldName,
  NOT_HANDLED,
  OBSERVATION_EFFECTIVE,
  OBSERVATION_VALUE,
  type ChoiceSpec,
} from '../../src/timeline/fhirpath';
import type { DataIssue } from '../../src/timeline/types';
import { concept, observation, valueFields } from './arbitraries';

beforeAll(() => jest.spyOn(console, 'log').mockImplementation(() => undefined)); // ucum-lhc logs junk unit strings
afterAll(() => jest.restoreAllMocks());

const fast = createTimelineBuilder(defaultKnowledge);
const reference = createTimelineBuilder(defaultKnowledge, { fhirpathOnly: true });

function expectSame(input: unknown[], patientId: string | undefined): PatientTimeline {
  const a = fast(input, patientId === undefined ? {} : { patientId });
  const b = reference(input, patientId === undefined ? {} : { patientId });
  if (!isDeepStrictEqual(a, b) || JSON.stringify(a) !== JSON.stringify(b)) {
    expect(a).toStrictEqual(b); // shows the difference
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  }
  return a;
}

describe('choiceField equals the compiled FHIRPath field', () => {
  const issues: DataIssue[] = [];
  const check = (name: FieldName, spec: ChoiceSpec, resource: Record<string, unknown>, element: Record<string, unknown>, parentIndex?: number): boolean => {
    const got = choiceField(element, spec, parentIndex);
    if (got === NOT_HANDLED) return false;
    const nodes = field(name, resource, issues, 'x');
    expect(got === undefined ? [] : [got]).toStrictEqual(nodes.map((n) => ({ ...n, parentIndex: n.parentIndex })));
    return true;
  };

  it('on messy value[x] and effective[x] (accepts most realistic shapes)', () => {
    let handled = 0;
    let total = 0;
    fc.assert(
      fc.property(observation, (o) => {
        total += 2;
        if (check('observationValue', OBSERVATION_VALUE, o, o)) handled++;
        if (check('observationEffective', OBSERVATION_EFFECTIVE, o, o)) handled++;
      }),
      { numRuns: 1500 },
    );
    expect(handled / total).toBeGreaterThan(0.5);
    expect(issues).toEqual([]);
  });

  it('on component value[x] (node of component i, parentIndex i)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(concept, valueFields()), { minLength: 1, maxLength: 3 }), (parts) => {
        const comps = parts.map(([code, value]) => ({ code, ...value }));
        const o = { resourceType: 'Observation', component: comps };
        const nodes = field('observationComponentValue', o, issues, 'x');
        comps.forEach((c, i) => {
          const got = choiceField(c, COMPONENT_VALUE, i);
          if (got === NOT_HANDLED) return;
          const expected = nodes.filter((n) => n.parentIndex === i);
          expect(got === undefined ? [] : [got]).toStrictEqual(expected);
        });
      }),
      { numRuns: 1000 },
    );
  });
});

describe('fast path timeline equals the FHIRPath reference timeline', () => {
  it('on generated messy Observations (with a patient, conditions and duplicates)', () => {
    fc.assert(
      fc.property(fc.array(observation, { maxLength: 15 }), fc.boolean(), (items, withPatient) => {
        const input: unknown[] = withPatient ? [{ resourceType: 'Patient', id: 'p1' }, ...items] : items;
        expectSame(input, withPatient ? 'p1' : undefined);
      }),
      { numRuns: 600 },
    );
  });

  it('on the benchmark hook requests (N = 100 and 1,000)', () => {
    for (const n of [100, 1000]) {
      const { body, patientId } = generateHookRequest(n);
      const t = expectSame(Object.values(body.prefetch as Record<string, unknown>), patientId);
      expect(Object.keys(t.labs).length).toBeGreaterThan(10);
    }
  });
});
