/**
 * Children: when the patient is under 18 ([design] criteria.pediatric.underAgeYears) at the value's time and a
 * ULN/LLN criterion was judged against a fallback or default range (not the lab's), the item is flagged and the
 * card says so in one line. The shipped fallback ranges are adult bands; sites add pediatric bands.
 */
import { assess } from '../../src/criteria';
import type { Assessment, CriterionItem } from '../../src/criteria/types';
import { renderCards } from '../../src/render/cards';
import { loadCardContent } from '../../src/render/content';
import { ASOF, K, exposure, lab, timeline } from './helpers';

const content = loadCardContent();
const FALLBACK = { range: { low: 0, high: 35, source: 'fallback' as const, population: 'adult' } };

function run(birthDate: string, labs = [lab('ferritin', 24500), lab('alt', 240, FALLBACK), lab('fibrinogen', 110)]): Assessment {
  return assess(timeline({ labs, birthDate, exposures: [exposure('car-t', 'axicabtagene ciloleucel', 10)] }), ASOF, K);
}
function find(a: Assessment, id: string): CriterionItem {
  const all: CriterionItem[] = [];
  const walk = (xs: readonly CriterionItem[]) => xs.forEach((x) => (all.push(x), walk(x.components ?? [])));
  walk([...(a.iecHs?.features ?? []), ...(a.iecHs?.mayBePresent ?? [])]);
  return all.find((i) => i.id === id)!;
}
const detail = (a: Assessment) => renderCards(a, { patientId: 'p1', detail: 'full' }, content, () => 'u')[0]?.detail ?? '';

// The values are 1 h before ASOF (2026-03-15T11:00Z): the 18th birthday is the boundary.
describe.each([
  ['17 years, the day before the 18th birthday', '2008-03-16', true],
  ['18 years on the day (born 2008-03-15)', '2008-03-15', false],
  ['adult', '1970-01-01', false],
])('%s', (_label, birthDate, child) => {
  it(`flags the fallback-judged ULN criteria: ${child}`, () => {
    const a = run(birthDate);
    expect(find(a, 'transaminases.alt').flags?.includes('pediatric-fallback-range') ?? false).toBe(child);
    expect(find(a, 'ferritin.uln').flags?.includes('pediatric-fallback-range') ?? false).toBe(child); // default ULN 400 [design]
    expect(find(a, 'fibrinogen').flags?.includes('pediatric-fallback-range') ?? false).toBe(false); // absolute < 150 decided it
    const note = detail(a).split('\n').filter((l) => l.startsWith('**Pediatric patient:**'));
    if (child) {
      expect(note).toEqual([
        '**Pediatric patient:** Ferritin &gt; 2 × ULN; ALT judged against a fallback reference range (default ULN [design], adult), not one sent by the lab; check that it suits the patient\'s age.',
      ]);
    } else expect(note).toEqual([]);
  });
});

it('a lab range never triggers the note, whatever the age', () => {
  const a = run('2015-06-01', [lab('ferritin', 24500, { range: { high: 300 } }), lab('alt', 240, { range: { high: 40 } }), lab('fibrinogen', 110)]);
  expect(detail(a)).not.toContain('Pediatric patient');
});

it('an unknown birth date never triggers it', () => {
  const a = assess(timeline({ labs: [lab('ferritin', 24500), lab('alt', 240, FALLBACK), lab('fibrinogen', 110)], exposures: [exposure('car-t', 'axicabtagene ciloleucel', 10)] }), ASOF, K);
  expect(find(a, 'transaminases.alt').flags ?? []).not.toContain('pediatric-fallback-range');
});
