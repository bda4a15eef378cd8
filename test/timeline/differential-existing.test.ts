/**
 * Every existing timeline test, run again with each built timeline checked against the FHIRPath reference:
 * `createTimelineBuilder` / `buildTimeline` are wrapped so that every call also builds the timeline with
 * `{ fhirpathOnly: true }` and fails unless both are deep-strict equal and serialise to the same JSON. The
 * original assertions run unchanged on the fast path's result.
 */
import { isDeepStrictEqual } from 'node:util';
import type * as Timeline from '../../src/timeline';

let compared = 0;

jest.mock('../../src/timeline', () => {
  const actual = jest.requireActual<typeof Timeline>('../../src/timeline');
  const checked = (knowledge: Parameters<typeof actual.createTimelineBuilder>[0]): Timeline.TimelineBuilder => {
    const fast = actual.createTimelineBuilder(knowledge);
    const reference = actual.createTimelineBuilder(knowledge, { fhirpathOnly: true });
    return (resources, options) => {
      const a = fast(resources, options);
      const b = reference(resources, options);
      compared++;
      if (!isDeepStrictEqual(a, b) || JSON.stringify(a) !== JSON.stringify(b)) {
        throw new Error(`fast path differs from the FHIRPath reference:\n${JSON.stringify(a)}\n${JSON.stringify(b)}`);
      }
      return a;
    };
  };
  const cache = new WeakMap<object, Timeline.TimelineBuilder>();
  return {
    ...actual,
    createTimelineBuilder: (knowledge: Parameters<typeof actual.createTimelineBuilder>[0]) => checked(knowledge),
    buildTimeline: (resources: readonly unknown[], knowledge: Parameters<typeof actual.createTimelineBuilder>[0], options?: Timeline.BuildOptions) => {
      let b = cache.get(knowledge);
      if (!b) cache.set(knowledge, (b = checked(knowledge)));
      return b(resources, options);
    },
  };
});

/* eslint-disable @typescript-eslint/no-require-imports */
describe('observations.test', () => {
  require('./observations.test');
});
describe('determinism.test', () => {
  require('./determinism.test');
});
describe('findings.test', () => {
  require('./findings.test');
});
describe('exposures.test', () => {
  require('./exposures.test');
});
describe('smoke.test', () => {
  require('./smoke.test');
});
describe('knowledge.test', () => {
  require('./knowledge.test');
});
/* eslint-enable @typescript-eslint/no-require-imports */

afterAll(() => {
  // Guard against the wrapper silently not being used.
  expect(compared).toBeGreaterThan(100);
});
