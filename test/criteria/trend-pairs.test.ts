/**
 * Trend rules that fit real sampling [design]: the change (and the Porter 2022 CRP/IL-6 divergence) uses the pair
 * closest to 48 h (criteria.trends.changeHours) within ± 24 h (toleranceHours); the rapid-rise comparison value is
 * an "earlier value", never a "baseline".
 */
import { assess } from '../../src/criteria';
import type { Assessment, CriterionItem } from '../../src/criteria/types';
import { renderCards } from '../../src/render/cards';
import { loadCardContent } from '../../src/render/content';
import type { LabValue } from '../../src/timeline/types';
import { HOUR_MS } from '../../src/timeline/time';
import { ASOF, ASOF_MS, K, exposure, knowledgeWith, lab, timeline } from './helpers';

const content = loadCardContent();
const at = (h: number) => ({ time: new Date(ASOF_MS - h * HOUR_MS).toISOString() });
const platelets = (a: Assessment) => a.trends.items.find((t) => t.analyte === 'platelets')!;

describe('the change uses the pair closest to 48 h within ± 24 h (boundaries inclusive)', () => {
  // the latest value is 1 h before asOf; `gap` hours earlier there is one other value
  it.each([
    [23.99, undefined],
    [24, 24],
    [48, 48],
    [60, 60],
    [72, 72],
    [72.01, undefined],
  ])('values %s h apart → change over %s h', (gap, hours) => {
    const t = platelets(assess(timeline({ labs: [lab('platelets', 80, at(1 + gap)), lab('platelets', 40, at(1))] }), ASOF, K));
    if (hours === undefined) expect(t.change48h).toBeUndefined();
    else expect(t.change48h).toMatchObject({ hours, from: { value: 80 }, to: { value: 40 }, absolute: -40, ratio: 0.5 });
  });

  it.each([
    ['40 h is closer to 48 h than 60 h', [41, 61], 40],
    ['a tie (36 h and 60 h): the more recent', [37, 61], 36],
    ['only pairs outside the tolerance: none', [13, 80], undefined],
  ] as const)('%s', (_l, earlier, hours) => {
    const labs: LabValue[] = [...earlier.map((h, i) => lab('platelets', 100 + i, at(h))), lab('platelets', 40, at(1))];
    const t = platelets(assess(timeline({ labs }), ASOF, K));
    expect(t.change48h?.hours).toBe(hours);
  });

  it('a site can demand exactly 48 h (tolerance 0)', () => {
    const k = knowledgeWith((x) => void (x.criteria.trends.toleranceHours.value = 0));
    const labs = [lab('platelets', 80, at(49)), lab('platelets', 70, at(50)), lab('platelets', 40, at(1))];
    expect(platelets(assess(timeline({ labs }), ASOF, k)).change48h).toMatchObject({ hours: 48, from: { value: 80 } });
    expect(platelets(assess(timeline({ labs: labs.slice(1) }), ASOF, k)).change48h).toBeUndefined();
  });
});

it('ferritin rising while CRP and IL-6 fall is assessed on samples 60 h apart', () => {
  const labs = [
    lab('ferritin', 3000, at(61)), lab('ferritin', 12000, at(1)),
    lab('crp', 180, at(61)), lab('crp', 40, at(1)),
    lab('il6', 900, at(61)), lab('il6', 60, at(1)),
  ];
  const a = assess(timeline({ labs, exposures: [exposure('car-t', 'axicabtagene ciloleucel', 10)] }), ASOF, K);
  expect(a.trends.crsDivergence).toMatchObject({ state: 'present', ferritin: 'rising', crp: 'falling', il6: 'falling' });
});

describe('Porter 2022: the CRP and IL-6 falls must be concurrent with the ferritin rise (end within ± 24 h, in the lookback)', () => {
  // ferritin 3,000 → 12,000 ending 1 h before asOf; CRP and IL-6 fall over 48 h ending `end` hours before asOf
  it.each([
    ['CRP/IL-6 ending with ferritin', 1, 'present'],
    ['ending 24 h before ferritin (boundary)', 25, 'present'],
    ['ending 24 h + 1 min before ferritin', 25 + 1 / 60, 'unknown'],
    ['a CRS-phase fall three weeks earlier', 1 + 21 * 24, 'unknown'],
  ] as const)('%s (ending %s h before asOf) → %s', (_l, end, state) => {
    const labs = [
      lab('ferritin', 3000, at(49)), lab('ferritin', 12000, at(1)),
      lab('crp', 200, at(end + 48)), lab('crp', 80, at(end)),
      lab('il6', 900, at(end + 48)), lab('il6', 100, at(end)),
    ];
    const a = assess(timeline({ labs, exposures: [exposure('car-t', 'axicabtagene ciloleucel', 30)] }), ASOF, K);
    expect(a.trends.crsDivergence.state).toBe(state);
    if (state === 'unknown') expect(a.trends.crsDivergence).toMatchObject({ ferritin: 'rising' });
    if (state === 'unknown') expect(a.trends.crsDivergence.crp).toBeUndefined();
  });
});

describe('a rapid rise is measured against an "earlier value", never a "baseline"', () => {
  const labs = [lab('ferritin', 300, { h: 40, range: { high: 400 } }), lab('ferritin', 900, { h: 1, range: { high: 400 } })];
  const a = assess(timeline({ labs, exposures: [exposure('car-t', 'axicabtagene ciloleucel', 10)] }), ASOF, K);
  const ferritin = a.iecHs!.features.find((f) => f.id === 'ferritin')!;
  const rising = ferritin.components!.find((c) => c.id === 'ferritin.rising') as CriterionItem;

  it('the item carries the comparison value, not a baseline', () => {
    expect(rising.state).toBe('met');
    expect(rising.comparison).toMatchObject({ value: 300 });
    expect(rising.baseline).toBeUndefined();
    expect(rising.threshold).toMatchObject({ operator: '>=', value: 600, basis: 'earlier-value', factor: 2, status: 'design' });
  });

  it('the card says "earlier value" for it', () => {
    const detail = renderCards(a, { patientId: 'p1', detail: 'full' }, content, () => 'u')[0]!.detail!;
    const row = detail.split('\n').find((l) => l.startsWith('| ↳ Ferritin rapidly rising'))!;
    expect(row).toContain('earlier value 300 ng/mL');
    expect(row).toContain('(2× earlier value) [design]');
    expect(row).not.toContain('baseline');
  });
});
