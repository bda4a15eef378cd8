/**
 * The both-paths harness itself: the IEC-HS example gives the same critical card whether the EHR prefetches
 * its data or the service fetches it from a real FHIR server.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { entriesOf } from '../../src/cli/evaluate';
import { startBothPaths, type BothPaths } from '../support/both-paths';

let h: BothPaths;
beforeAll(async () => {
  h = await startBothPaths();
});
afterAll(async () => h?.close());

it('the IEC-HS example gives the same critical card in prefetch and fetch mode', async () => {
  const bundle = JSON.parse(readFileSync(path.resolve(__dirname, '../../examples/patients/iec-hs-axicel.json'), 'utf8'));
  const resources = entriesOf(bundle) as Array<Record<string, unknown>>;
  const { prefetch, fetch } = await h.both(resources, { patientId: 'iec-hs-axicel' });
  for (const r of [prefetch, fetch]) {
    expect(r.status).toBe(200);
    expect(r.card?.indicator).toBe('critical');
    expect(r.extension).toMatchObject({ syndrome: 'iec-hs', exposure: { class: 'car-t', daysSince: 12 } });
  }
  expect(fetch.card?.summary).toBe(prefetch.card?.summary);
  expect(h.fhir.requests.length).toBeGreaterThan(0);
});
