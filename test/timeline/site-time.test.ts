/**
 * The site clock: zone-less date-times and dates placed in the site zone, calendar days across DST changes
 * (America/New_York 2026-03-08 and 2026-11-01, Europe/Berlin 2026-03-29 and 2026-10-25), zone validation.
 */
import fc from 'fast-check';
import { defaultKnowledge } from '../../src/knowledge';
import { createTimelineBuilder } from '../../src/timeline';
import { isValidTimeZone, isZonelessDateTime, siteTime } from '../../src/timeline/site-time';
import { DAY_MS, toEpochMs } from '../../src/timeline/time';
import { issueText } from '../support/issue-text';

const ny = siteTime('America/New_York');
const berlin = siteTime('Europe/Berlin');
const utc = siteTime();
const day = (iso: string) => Math.floor(Date.parse(`${iso}T00:00:00Z`) / DAY_MS);

describe('reading values in the site zone', () => {
  it.each([
    // [zone, value, expected instant]
    ['America/New_York', '2026-03-15T08:00:00', '2026-03-15T12:00:00.000Z'], // EDT (−4)
    ['America/New_York', '2026-01-15T08:00:00', '2026-01-15T13:00:00.000Z'], // EST (−5)
    ['America/New_York', '2026-03-08T01:59:59', '2026-03-08T06:59:59.000Z'], // last second of EST
    ['America/New_York', '2026-03-08T02:30:00', '2026-03-08T07:30:00.000Z'], // skipped hour → read with EST (= 03:30 EDT)
    ['America/New_York', '2026-03-08T03:00:00', '2026-03-08T07:00:00.000Z'], // first EDT hour
    ['America/New_York', '2026-11-01T01:30:00', '2026-11-01T05:30:00.000Z'], // occurs twice → the first (EDT)
    ['America/New_York', '2026-11-01T02:30:00', '2026-11-01T07:30:00.000Z'], // EST again
    ['Europe/Berlin', '2026-03-29T02:30:00', '2026-03-29T01:30:00.000Z'], // skipped → read with CET (= 03:30 CEST)
    ['Europe/Berlin', '2026-10-25T02:30:00', '2026-10-25T00:30:00.000Z'], // twice → the first (CEST)
    ['Europe/Berlin', '2026-07-01T12:00:00.250', '2026-07-01T10:00:00.250Z'],
    ['America/New_York', '2026-03-15', '2026-03-15T04:00:00.000Z'], // a date: 00:00 site time
    ['Europe/Berlin', '2026-03', '2026-02-28T23:00:00.000Z'],
    ['America/New_York', '2026-03-15T08:00:00Z', '2026-03-15T08:00:00.000Z'], // zoned: unchanged
    ['Europe/Berlin', '2026-03-15T08:00:00-05:00', '2026-03-15T13:00:00.000Z'],
    ['UTC', '2026-03-15T08:00:00', '2026-03-15T08:00:00.000Z'],
    ['UTC', '2026-03-15', '2026-03-15T00:00:00.000Z'],
  ])('%s: %s → %s', (zone, value, expected) => {
    expect(new Date(siteTime(zone).ms(value)!).toISOString()).toBe(expected);
  });

  it('returns undefined for values that are not dates (as toEpochMs does)', () => {
    for (const v of ['', 'yesterday', '2026-03-15T25:00:00', '2026-03-15T08:00:00+25:00', '2026-03-15 08:00', undefined]) {
      expect(ny.ms(v)).toBeUndefined();
      expect(toEpochMs(v)).toBeUndefined();
    }
  });

  it('zoned instants read the same in every zone as toEpochMs', () => {
    const instant = fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2060-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
    fc.assert(fc.property(instant, (s) => ny.ms(s) === toEpochMs(s) && berlin.ms(s) === toEpochMs(s)), { numRuns: 2000 });
  });

  it('a zone-less date-time written back with its offset denotes the same instant (round trip)', () => {
    const wall = fc
      .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2040-01-01T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 19));
    fc.assert(
      fc.property(wall, fc.constantFrom(ny, berlin, utc, siteTime('Australia/Lord_Howe'), siteTime('Asia/Kolkata')), (w, site) => {
        const zoned = site.withZone(w);
        return zoned !== w && toEpochMs(zoned) === site.ms(w);
      }),
      { numRuns: 3000 },
    );
  });

  it('withZone rewrites only zone-less date-times', () => {
    expect(ny.withZone('2026-03-15T08:00:00')).toBe('2026-03-15T08:00:00-04:00');
    expect(ny.withZone('2026-01-15T08:00:00.5')).toBe('2026-01-15T08:00:00.5-05:00');
    expect(ny.withZone('2026-03-08T02:30:00')).toBe('2026-03-08T02:30:00-05:00');
    expect(utc.withZone('2026-03-15T08:00:00')).toBe('2026-03-15T08:00:00Z');
    for (const v of ['2026-03-15', '2026-03-15T08:00:00Z', '2026-03-15T08:00:00+01:00', 'junk']) expect(ny.withZone(v)).toBe(v);
    expect(isZonelessDateTime('2026-03-15T08:00')).toBe(true);
    expect(isZonelessDateTime('2026-03-15')).toBe(false);
  });
});

describe('site calendar days across DST', () => {
  it.each([
    // the days around each change are 24, 23 (or 25) and 24 hours long
    ['America/New_York', '2026-03-07', 24],
    ['America/New_York', '2026-03-08', 23],
    ['America/New_York', '2026-03-09', 24],
    ['America/New_York', '2026-11-01', 25],
    ['Europe/Berlin', '2026-03-29', 23],
    ['Europe/Berlin', '2026-10-25', 25],
    ['Europe/Berlin', '2026-06-01', 24],
    ['UTC', '2026-03-08', 24],
  ])('%s %s has %s hours', (zone, date, hours) => {
    const s = siteTime(zone);
    const d = day(date);
    expect((s.startOfDay(d + 1) - s.startOfDay(d)) / 3_600_000).toBe(hours);
    expect(s.dayOf(s.startOfDay(d))).toBe(d);
    expect(s.dayOf(s.startOfDay(d) - 1)).toBe(d - 1);
    expect(s.dayOf(s.endOfDay(d))).toBe(d);
  });

  it('local midnight is the start of the day', () => {
    expect(new Date(ny.startOfDay(day('2026-03-08'))).toISOString()).toBe('2026-03-08T05:00:00.000Z');
    expect(new Date(ny.startOfDay(day('2026-03-09'))).toISOString()).toBe('2026-03-09T04:00:00.000Z');
    expect(new Date(berlin.startOfDay(day('2026-10-26'))).toISOString()).toBe('2026-10-25T23:00:00.000Z');
    expect(new Date(ny.endOfDay(day('2026-03-08'))).toISOString()).toBe('2026-03-09T03:59:59.999Z');
  });

  it('a day whose midnight does not exist starts when the clocks resume (America/Havana, DST at 00:00)', () => {
    const havana = siteTime('America/Havana');
    // 2026-03-08: 00:00 CST → 01:00 CDT in Havana
    const d = day('2026-03-08');
    const start = havana.startOfDay(d);
    expect(havana.dayOf(start)).toBe(d);
    expect(havana.dayOf(start - 1)).toBe(d - 1);
  });

  it('dates are their own calendar day in every zone', () => {
    for (const s of [ny, berlin, utc, siteTime('Pacific/Kiritimati'), siteTime('Pacific/Pago_Pago')]) {
      expect(s.dayOfValue('2026-03-08')).toBe(day('2026-03-08'));
      expect(s.dayOfValue('2026-10-25')).toBe(day('2026-10-25'));
    }
  });

  it('instants fall on the local calendar day', () => {
    // 03:30Z on 9 March is still 8 March in New York (23:30 EDT), already 9 March in Berlin
    expect(ny.dayOfValue('2026-03-09T03:30:00Z')).toBe(day('2026-03-08'));
    expect(berlin.dayOfValue('2026-03-09T03:30:00Z')).toBe(day('2026-03-09'));
  });
});

describe('zone validation', () => {
  it('accepts IANA names and UTC, refuses others', () => {
    for (const z of ['UTC', 'Etc/UTC', 'America/New_York', 'Europe/Berlin', 'Asia/Kolkata']) expect(isValidTimeZone(z)).toBe(true);
    for (const z of ['Mars/Olympus_Mons', 'EST5EDT6', '', 'Europe/Berlin ', '+02:00x']) expect(isValidTimeZone(z)).toBe(false);
    expect(() => siteTime('Not/AZone')).toThrow(RangeError);
  });
});

describe('the timeline reads times in the site zone', () => {
  const build = createTimelineBuilder(defaultKnowledge);
  const subject = { reference: 'Patient/p1' };
  const ferritin = (id: string, time: string) => ({
    resourceType: 'Observation',
    id,
    status: 'final',
    subject,
    code: { coding: [{ system: 'http://loinc.org', code: '2276-4' }] },
    effectiveDateTime: time,
    valueQuantity: { value: 900, unit: 'ng/mL', system: 'http://unitsofmeasure.org', code: 'ng/mL' },
  });
  const resources = [
    { resourceType: 'Patient', id: 'p1' },
    ferritin('o1', '2026-03-15T08:00:00'),
    ferritin('o2', '2026-03-14T08:00:00'),
    ferritin('o3', '2026-03-13T08:00:00Z'),
    {
      resourceType: 'Condition',
      id: 'c1',
      subject,
      clinicalStatus: { coding: [{ code: 'active' }] },
      code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'R16.1' }] },
      onsetDateTime: '2026-03-12T09:30:00',
    },
    { resourceType: 'MedicationAdministration', id: 'm1', status: 'completed', subject, medicationCodeableConcept: { text: 'Keytruda' }, effectiveDateTime: '2026-03-01T10:00:00' },
  ];

  it('rewrites zone-less date-times with the site offset and reports them once, with a count', () => {
    const t = build(resources, { patientId: 'p1', timeZone: 'America/New_York' });
    expect(t.labs.ferritin?.map((v) => v.time)).toEqual(['2026-03-13T08:00:00Z', '2026-03-14T08:00:00-04:00', '2026-03-15T08:00:00-04:00']);
    expect(t.findings[0]?.time).toBe('2026-03-12T09:30:00-04:00');
    expect(t.exposures[0]?.start).toBe('2026-03-01T10:00:00-05:00');
    const zoneless = t.issues.filter((i) => i.code === 'time-without-zone');
    expect(zoneless).toEqual([{ severity: 'warning', code: 'time-without-zone', params: { n: 4, zone: 'America/New_York' } }]);
    expect(zoneless.map(issueText)).toEqual(['4 date-time value(s) had no time zone (FHIR requires one); read as America/New_York site time.']);
  });

  it('at the default zone (UTC) they are read as UTC and still reported', () => {
    const t = build(resources, { patientId: 'p1' });
    expect(t.labs.ferritin?.map((v) => v.time)).toEqual(['2026-03-13T08:00:00Z', '2026-03-14T08:00:00Z', '2026-03-15T08:00:00Z']);
    expect(t.issues.filter((i) => i.code === 'time-without-zone')).toHaveLength(1);
  });

  it('zoned values raise no issue', () => {
    const t = build([resources[0], resources[3]], { patientId: 'p1', timeZone: 'Europe/Berlin' });
    expect(t.issues).toEqual([]);
  });
});
