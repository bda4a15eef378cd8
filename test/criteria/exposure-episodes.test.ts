/**
 * Exposure timing ([design]):
 * - day numbering and window ends on the site's calendar (SITE_TIMEZONE), across DST changes;
 * - repeated courses: a gap longer than the class's window ends a course, a later dose starts a new one;
 * - a trigger explains only what follows it: values before day 0 of its episode do not count towards it.
 */
import { assess } from '../../src/criteria';
import { evaluateExposure, coursesOf } from '../../src/criteria/exposure';
import { siteTime } from '../../src/timeline/site-time';
import type { Exposure, ExposureDate } from '../../src/timeline/types';
import { ASOF, K, dAgo, exposure, finding, hAgo, lab, timeline } from './helpers';

const windows = K.exposures.windows;
const at = (iso: string, kind: ExposureDate['kind'] = 'administered', source = 'MedicationAdministration/x'): ExposureDate => ({ at: iso, kind, source });
const withDates = (cls: Exposure['class'], agent: string, dates: ExposureDate[], o: Partial<Exposure> = {}): Exposure =>
  exposure(cls, agent, 0, { start: dates[0]!.at, last: dates[dates.length - 1]!.at, dates, ...o });

describe('site calendar days (SITE_TIMEZONE)', () => {
  // CAR T infused 23:30 local on 2026-03-07 in New York = 04:30Z on 2026-03-08
  const cart = withDates('car-t', 'tisagenlecleucel', [at('2026-03-08T04:30:00Z')]);

  it('day 0 is the local calendar day of the infusion; DST (2026-03-08) does not shift the count', () => {
    const asOf = Date.parse('2026-03-10T03:30:00Z'); // 23:30 EDT on 9 March
    expect(evaluateExposure(cart, asOf, K, siteTime('America/New_York')).daysSince).toBe(2); // 7 → 9 March
    expect(evaluateExposure(cart, asOf, K, siteTime('UTC')).daysSince).toBe(2); // 8 → 10 March
    expect(evaluateExposure(cart, Date.parse('2026-03-09T03:59:59Z'), K, siteTime('America/New_York')).daysSince).toBe(1);
    expect(evaluateExposure(cart, Date.parse('2026-03-09T04:00:00Z'), K, siteTime('America/New_York')).daysSince).toBe(2);
  });

  it.each([
    // [zone, infusion instant, expected window end (end of local calendar day 100)]
    ['America/New_York', '2026-03-08T04:30:00Z', '2026-06-16T03:59:59.999Z'], // day 0 = 7 March (EST) → day 100 = 15 June (EDT)
    ['Europe/Berlin', '2026-03-28T12:00:00Z', '2026-07-06T21:59:59.999Z'], // 28 March CET → 6 July CEST
    ['Europe/Berlin', '2026-07-20T12:00:00Z', '2026-10-28T22:59:59.999Z'], // summer → 28 October CET (after 25 Oct)
    ['America/New_York', '2026-07-25T12:00:00Z', '2026-11-03T04:59:59.999Z'], // → end of 2 November EST (after 1 Nov)
    ['UTC', '2026-03-08T04:30:00Z', '2026-06-16T23:59:59.999Z'],
  ])('%s: infusion %s → window closes %s', (zone, infusion, end) => {
    const e = withDates('car-t', 'tisagenlecleucel', [at(infusion)]);
    const site = siteTime(zone);
    const r = evaluateExposure(e, Date.parse(end), K, site);
    expect(r.windowEnd).toBe(end);
    expect(r).toMatchObject({ inWindow: true, daysSince: 100 });
    const after = evaluateExposure(e, Date.parse(end) + 1, K, site);
    expect(after).toMatchObject({ inWindow: false, windowReason: 'after-window', daysSince: 101 });
  });

  it('a date-only day 0 is that calendar day in every zone; values count from the next local day', () => {
    const e = withDates('checkpoint-inhibitor', 'pembrolizumab', [at('2026-03-07', 'reported')]);
    for (const zone of ['America/New_York', 'Europe/Berlin', 'UTC']) {
      const site = siteTime(zone);
      const r = evaluateExposure(e, site.ms('2026-03-09T12:00:00')!, K, site);
      expect(r.daysSince).toBe(2);
      expect(r.countsFrom).toBe(new Date(site.ms('2026-03-08')!).toISOString());
    }
  });

  it('assess takes the zone as an argument: the same timeline counts days on each site calendar', () => {
    const t = timeline({ exposures: [cart] });
    const asOf = '2026-03-10T03:30:00Z';
    expect(assess(t, asOf, K, { timeZone: 'America/New_York' }).exposure.primary?.daysSince).toBe(2);
    expect(assess(t, asOf, K, { timeZone: 'Asia/Tokyo' }).exposure.primary?.daysSince).toBe(2);
    expect(assess(t, '2026-03-09T14:59:59Z', K, { timeZone: 'Asia/Tokyo' }).exposure.primary?.daysSince).toBe(1);
  });
});

describe('repeated courses', () => {
  const nivo = (dates: string[], o: Partial<Exposure> = {}) => withDates('checkpoint-inhibitor', 'nivolumab', dates.map((d) => at(d)), o);
  const asOf = Date.parse(ASOF);

  it('a re-challenge after a gap longer than the class window (26 weeks) is a new course with its own day 0', () => {
    // course 1: doses 400 → 300 days ago; re-challenge 50 days ago (gap 250 d > 182 d)
    const e = nivo([dAgo(400), dAgo(379), dAgo(358), dAgo(300), dAgo(50), dAgo(29), dAgo(8)]);
    const r = evaluateExposure(e, asOf, K, siteTime());
    expect(r).toMatchObject({ inWindow: true, day0: dAgo(50), daysSince: 50, start: dAgo(50), lastDose: dAgo(8), daysSinceLastDose: 8 });
    expect(r.course).toEqual({ number: 2, previousLast: dAgo(300) });
    expect(coursesOf(e, windows['checkpoint-inhibitor'], siteTime(), asOf).map((c) => c.dates.length)).toEqual([4, 3]);
  });

  it('a gap of exactly the window (182 days) keeps the course; one more day starts a new one', () => {
    const same = evaluateExposure(nivo([dAgo(400), dAgo(218)]), asOf, K, siteTime());
    expect(same).toMatchObject({ day0: dAgo(400), daysSince: 400 });
    expect(same.course).toBeUndefined();
    const split = evaluateExposure(nivo([dAgo(400), dAgo(217)]), asOf, K, siteTime());
    expect(split).toMatchObject({ day0: dAgo(217), daysSince: 217, course: { number: 2, previousLast: dAgo(400) } });
  });

  it('a documented period is continuous therapy, not a gap; an active order keeps the latest course on therapy', () => {
    const e = withDates('btk-inhibitor', 'ibrutinib', [{ at: dAgo(400), until: dAgo(5), kind: 'reported', source: 'MedicationStatement/s' }], { ongoing: true });
    const r = evaluateExposure(e, asOf, K, siteTime());
    expect(r).toMatchObject({ inWindow: true, day0: dAgo(400), lastDose: dAgo(5), onTherapy: true });
    expect(r.course).toBeUndefined();
  });

  it('a date from an active order or statement is continuous therapy up to asOf: no gap opens after it', () => {
    const started = { at: dAgo(300), kind: 'reported' as const, ongoing: true as const, source: 'MedicationStatement/s' };
    const e = withDates('lamotrigine', 'lamotrigine', [started, at(dAgo(10), 'scheduled', 'MedicationRequest/r')], { doseIncreases: [dAgo(10)], ongoing: true });
    expect(evaluateExposure(e, asOf, K, siteTime())).toMatchObject({ start: dAgo(300), day0: dAgo(10), day0Basis: 'dose-increase', inWindow: true });
    const stopped = withDates('lamotrigine', 'lamotrigine', [{ ...started, ongoing: undefined } as ExposureDate, at(dAgo(10), 'scheduled')], { doseIncreases: [dAgo(10)] });
    expect(evaluateExposure(stopped, asOf, K, siteTime())).toMatchObject({ start: dAgo(10), day0: dAgo(10), day0Basis: 'first-dose', course: { number: 2 } });
  });

  it('a course that starts after asOf is ignored: the current course is the last one started', () => {
    const e = nivo([dAgo(400), dAgo(380), hAgo(-48)]);
    expect(evaluateExposure(e, asOf, K, siteTime())).toMatchObject({ day0: dAgo(400), windowReason: 'after-window' });
  });

  it('CAR T: a re-infusion within 100 days stays day 0 of the first; after 100 days it is a new day 0', () => {
    const within = withDates('car-t', 'tisagenlecleucel', [at(dAgo(60)), at(dAgo(20))]);
    expect(evaluateExposure(within, asOf, K, siteTime())).toMatchObject({ day0: dAgo(60), daysSince: 60, day0Basis: 'infusion' });
    const later = withDates('car-t', 'tisagenlecleucel', [at(dAgo(160)), at(dAgo(20))]);
    expect(evaluateExposure(later, asOf, K, siteTime())).toMatchObject({ day0: dAgo(20), daysSince: 20, course: { number: 2 } });
  });

  it('CAR T day 0 is the infusion even when an order in the course is dated earlier', () => {
    const e = withDates('car-t', 'axicabtagene ciloleucel', [at(dAgo(20), 'scheduled', 'MedicationRequest/r'), at(dAgo(12))]);
    expect(evaluateExposure(e, asOf, K, siteTime())).toMatchObject({ day0: dAgo(12), start: dAgo(12), daysSince: 12, countsFrom: dAgo(12) });
  });

  it('lamotrigine: a dose increase in the course re-anchors day 0 (basis dose-increase); values count from the start', () => {
    const e = withDates('lamotrigine', 'lamotrigine', [at(dAgo(200), 'reported')], { doseIncreases: [dAgo(10)], ongoing: true });
    const r = evaluateExposure(e, asOf, K, siteTime());
    expect(r).toMatchObject({ inWindow: true, day0: dAgo(10), daysSince: 10, day0Basis: 'dose-increase', start: dAgo(200), countsFrom: dAgo(200) });
  });

  it('order dates count only when nothing better is documented', () => {
    const e = withDates('t-cell-engager', 'teclistamab', [at(dAgo(30), 'ordered', 'MedicationRequest/o'), at(dAgo(20), 'administered')]);
    expect(evaluateExposure(e, asOf, K, siteTime())).toMatchObject({ day0: dAgo(20) });
    const orderOnly = withDates('t-cell-engager', 'teclistamab', [at(dAgo(30), 'ordered', 'MedicationRequest/o')]);
    expect(evaluateExposure(orderOnly, asOf, K, siteTime())).toMatchObject({ day0: dAgo(30) });
  });
});

describe('a trigger explains only what follows it', () => {
  // florid HLH labs 3 days ago; TMP-SMX first given 1 day ago
  const hlhLabs = [
    lab('ferritin', 12000, { h: 72 }),
    lab('platelets', 40, { h: 72 }),
    lab('hemoglobin', 7.5, { h: 72 }),
    lab('fibrinogen', 90, { h: 72 }),
    lab('temperature', 39.5, { h: 70 }),
  ];

  it('a drug first given after the abnormal values counts none of them', () => {
    const a = assess(timeline({ labs: hlhLabs, exposures: [exposure('tmp-smx', 'trimethoprim-sulfamethoxazole', 1)] }), ASOF, K);
    expect(a.exposure.primary?.agent).toBe('trimethoprim-sulfamethoxazole');
    expect(a.hlh2004.met).toBe(0);
    expect(a.hscore.score).toBe(0);
    expect(a.episodes?.[0]?.notCounted).toBe(5);
    // the same values count when the drug was started before them
    const before = assess(timeline({ labs: hlhLabs, exposures: [exposure('tmp-smx', 'trimethoprim-sulfamethoxazole', 5)] }), ASOF, K);
    expect(before.hlh2004.met).toBeGreaterThanOrEqual(4);
    expect(before.episodes?.[0]?.notCounted).toBe(0);
  });

  it('each trigger is assessed on its own; the IEC trigger is the primary; a combination shares one assessment', () => {
    const t = timeline({
      labs: [...hlhLabs, lab('ferritin', 30000, { h: 2 }), lab('platelets', 25, { h: 2 })],
      exposures: [exposure('car-t', 'axicabtagene ciloleucel', 12), exposure('tmp-smx', 'trimethoprim-sulfamethoxazole', 1)],
    });
    const a = assess(t, ASOF, K);
    expect(a.episodes?.map((e) => e.exposure.agent)).toEqual(['axicabtagene ciloleucel', 'trimethoprim-sulfamethoxazole']);
    const [cart, tmp] = a.episodes!;
    expect(cart!.iecHs).toBeDefined();
    expect(a.iecHs).toBe(cart!.iecHs);
    expect(cart!.hlh2004.met).toBeGreaterThan(tmp!.hlh2004.met);
    expect(tmp!.notCounted).toBe(5);

    const combo = assess(
      timeline({ labs: hlhLabs, exposures: [exposure('checkpoint-inhibitor', 'nivolumab', 20), exposure('checkpoint-inhibitor', 'ipilimumab', 20)] }),
      ASOF,
      K,
    );
    expect(combo.episodes?.map((e) => [e.exposure.agent, e.combination])).toEqual([
      ['ipilimumab', ['nivolumab']],
      ['nivolumab', ['ipilimumab']],
    ]);
    expect(combo.episodes![0]!.hlh2004).toBe(combo.episodes![1]!.hlh2004);
  });

  it('observed findings before day 0 do not count; background findings (immunosuppression) do', () => {
    const t = timeline({
      labs: hlhLabs,
      exposures: [exposure('checkpoint-inhibitor', 'pembrolizumab', 2)],
      findings: [finding('splenomegaly', true, { time: dAgo(10) }), finding('immunosuppression', true, { time: dAgo(400), detail: 'hiv', clinicalStatus: 'active' })],
    });
    const a = assess(t, ASOF, K);
    expect(a.hlh2004.items.find((i) => i.id === 'splenomegaly')?.state).toBe('unknown');
    expect(a.hscore.variables.find((v) => v.id === 'immunosuppression')?.state).toBe('met');
    expect(a.episodes?.[0]?.notCounted).toBe(6); // five lab values and the splenomegaly
  });

  it('without a trigger in window nothing is floored', () => {
    const a = assess(timeline({ labs: hlhLabs }), ASOF, K);
    expect(a.episodes).toEqual([]);
    expect(a.hlh2004.met).toBeGreaterThanOrEqual(4);
  });
});

describe('last dose', () => {
  const asOf = Date.parse(ASOF);
  it('comes from doses and closed periods at or before asOf; an open, continuing period gives none (on therapy)', () => {
    const open = { at: dAgo(300), kind: 'reported' as const, ongoing: true as const, source: 'MedicationStatement/s' };
    const daily = withDates('btk-inhibitor', 'ibrutinib', [open], { ongoing: true });
    const r = evaluateExposure(daily, asOf, K, siteTime());
    expect(r.lastDose).toBeUndefined();
    expect(r.onTherapy).toBe(true);
    const infusions = withDates('checkpoint-inhibitor', 'pembrolizumab', [open, at(dAgo(40)), at(dAgo(19)), at(hAgo(-24))], { ongoing: true });
    expect(evaluateExposure(infusions, asOf, K, siteTime())).toMatchObject({ lastDose: dAgo(19), daysSinceLastDose: 19, onTherapy: true });
    const closed = withDates('btk-inhibitor', 'ibrutinib', [{ at: dAgo(200), until: dAgo(30), kind: 'reported', source: 'MedicationStatement/s' }]);
    expect(evaluateExposure(closed, asOf, K, siteTime())).toMatchObject({ lastDose: dAgo(30), daysSinceLastDose: 30 });
    expect(evaluateExposure(closed, asOf, K, siteTime()).onTherapy).toBeUndefined();
  });
});
