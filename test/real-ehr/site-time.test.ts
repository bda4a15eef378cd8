/**
 * Site time end to end, in both EHR data paths: with SITE_TIMEZONE (siteTimeZone) day numbering and "the window
 * closes at the end of calendar day N" follow the site's calendar across the 2026-03-08 DST change in New York;
 * date-times sent without a zone are read as site time and reported once, with a count.
 */
import { startBothPaths, type BothPaths } from '../support/both-paths';
import { ehr } from '../support/ehr-resources';

let h: BothPaths;
beforeAll(async () => {
  h = await startBothPaths();
});
afterAll(async () => h?.close());

const NEW_YORK = { siteTimeZone: 'America/New_York' };
const plain = (s: string | undefined) => (s ?? '').replace(/\\/g, '');

describe('day numbering in the site zone', () => {
  // Infused 20:00 on 7 March in New York (01:00Z on 8 March), across the DST change of 8 March.
  const p = ehr('st-days');
  const resources = [
    p.patient(),
    p.carT('2026-03-07T20:00:00-05:00'),
    p.lab('2276-4', 450, 'ng/mL', '2026-03-06T08:00:00-05:00'),
    // zone-less, as some feeds send them: site wall-clock time
    ...p.hlhLabs('2026-03-18T07:00:00'),
  ];

  it('New York: day 12 on the site calendar; the zone-less values are read as site time and reported once', async () => {
    const { prefetch, fetch } = await h.both(resources, { patientId: p.pid, asOf: '2026-03-19T12:00:00Z', config: NEW_YORK });
    for (const r of [prefetch, fetch]) {
      expect(r.card?.summary).toMatch(/, day 12 after axi-cel/);
      expect(r.card?.detail).toContain('day 12 after infusion (2026-03-07 20:00-05:00)');
      expect(r.extension?.exposure).toMatchObject({ daysSince: 12, day0: '2026-03-07T20:00:00-05:00' });
      expect(plain(r.card?.detail)).toContain('time-without-zone — 8 date-time value(s) had no time zone (FHIR requires one); read as America/New_York site time');
      expect(r.card?.detail).toContain('2026-03-18 07:00-04:00'); // shown with the offset it was read with
    }
  });

  it('UTC (the default): the same data is day 11', async () => {
    const r = await h.prefetch(resources, { patientId: p.pid, asOf: '2026-03-19T12:00:00Z' });
    expect(r.extension?.exposure).toMatchObject({ daysSince: 11 });
    expect(plain(r.card?.detail)).toContain('read as UTC site time');
  });
});

describe('the window closes at the end of site calendar day N', () => {
  // Infused 23:30 on 6 December in New York (04:30Z on 7 December): day 100 is 16 March, local time.
  const p = ehr('st-window');
  const resources = [p.patient(), p.carT('2025-12-06T23:30:00-05:00'), p.lab('2276-4', 300, 'ng/mL', '2025-12-05T08:00:00Z'), ...p.hlhLabs('2026-03-16T12:00:00Z')];

  it('New York: 23:59 on day 100 is in window, 00:30 the next day is not', async () => {
    await h.seed(resources);
    for (const run of [h.prefetch, h.fetch]) {
      const inside = await run(resources, { patientId: p.pid, asOf: '2026-03-17T03:59:00Z', config: NEW_YORK }); // 23:59 EDT, 16 March
      expect(inside.extension?.exposure).toMatchObject({ daysSince: 100 });
      const after = await run(resources, { patientId: p.pid, asOf: '2026-03-17T04:30:00Z', config: NEW_YORK }); // 00:30 EDT, 17 March
      expect(after.status).toBe(200);
      expect(after.cards).toEqual([]);
    }
    // On UTC's calendar the infusion was on 7 December, so 04:30Z on 17 March is still day 100.
    const utc = await h.prefetch(resources, { patientId: p.pid, asOf: '2026-03-17T04:30:00Z' });
    expect(utc.extension?.exposure).toMatchObject({ daysSince: 100 });
  });
});
