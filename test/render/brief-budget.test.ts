/**
 * The brief detail's budget (src/render/brief-budget.ts, src/render/brief.ts): exact boundaries of the fitting,
 * the fixed drop order, nothing cut mid-word, and real cards at their budgets (1,200 critical/warning, 600 info).
 */
import { cutAtWord, fitBudget, type BriefPart } from '../../src/render/brief-budget';
import { BRIEF_BUDGET, BRIEF_DROP_ORDER } from '../../src/render/brief';
import { loadCardContent } from '../../src/render/content';
import { renderCards } from '../../src/render/cards';
import type { AlternativeExplanation } from '../../src/criteria/types';
import { metCriteriaLines } from '../../src/render/brief-criteria';
import { assessment, exposure, item, seqIds } from './fixtures';

const content = loadCardContent();
const b = content.wording.brief;

// "aaaa" (never shortened) + "bbbbbbbb" → "bb" → "" + "cccc" → "", joined by blank lines: 4 + 2 + 8 + 2 + 4 = 20.
const parts: BriefPart[] = [
  { id: 'a', levels: ['aaaa'] },
  { id: 'b', levels: ['bbbbbbbb', 'bb', ''] },
  { id: 'c', levels: ['cccc', ''] },
];

describe('fitBudget at the boundaries', () => {
  it.each([
    [20, 'aaaa\n\nbbbbbbbb\n\ncccc'], // exactly the budget: unchanged
    [19, 'aaaa\n\nbbbbbbbb'], // one over: the first part of the drop order (c) goes
    [14, 'aaaa\n\nbbbbbbbb'],
    [13, 'aaaa\n\nbb'], // then b is shortened one step
    [8, 'aaaa\n\nbb'],
    [7, 'aaaa'], // then b goes; a is never dropped
    [4, 'aaaa'],
  ])('budget %i → %j', (budget, expected) => {
    const out = fitBudget(parts, ['c', 'b'], budget);
    expect(out).toBe(expected);
    expect(out.length).toBeLessThanOrEqual(budget);
  });
  it('a part not in the drop order is never shortened, whatever the order of the others', () => {
    expect(fitBudget(parts, ['b'], 13)).toBe('aaaa\n\ncccc');
  });
  it('when even the required parts do not fit, the text is cut at a space, never inside a word', () => {
    const out = fitBudget([{ id: 'a', levels: ['alpha beta gamma delta'] }], [], 14);
    expect(out).toBe('alpha beta…');
    expect(cutAtWord('short', 10)).toBe('short');
  });
});

describe('the brief card in the fixed drop order', () => {
  it('the drop order is the documented one', () => {
    expect(BRIEF_DROP_ORDER).toEqual(['consider', 'missing', 'trigger', 'counts', 'criteria', 'data', 'lamotrigine', 'alternatives', 'evidence']);
  });
  const infection = (i: number): AlternativeExplanation => ({
    kind: 'infection',
    text: `Sepsis due to organism number ${i} with septic shock`,
    code: { system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'A41.9' },
    time: '2024-05-12',
    source: `Condition/s-${i}`,
  });
  /** An IEC info card (ferritin only) with n documented infections and a long list of other agents. */
  const info = (n: number, others: number) => {
    const a = assessment({ iec: 'watch', fibrinogen: 300, lastSeen: {} });
    a.alternatives = Array.from({ length: n }, (_, i) => infection(i));
    a.exposure.all.push(...Array.from({ length: others }, (_, i) => exposure('tmp-smx', `trimethoprim-sulfamethoxazole ${i}`, { daysSince: 4 })));
    return renderCards(a, { patientId: 'p1' }, content, seqIds())[0]!;
  };
  it.each([
    [0, 0],
    [1, 0],
    [3, 1],
    [6, 3],
  ])('info card, %i infections, %i other agents: ≤ 600 characters, trigger, reason, counts, infection and disclaimer kept', (n, others) => {
    const card = info(n, others);
    expect(card.indicator).toBe('info');
    const d = card.detail!;
    expect(d.length).toBeLessThanOrEqual(BRIEF_BUDGET.info);
    expect(d).toContain(b.disclaimer);
    expect(d).toContain('**Trigger:** axi-cel');
    expect(d).toContain('day 12 after first dose');
    expect(d).toContain(`**${b.indicator.info}:**`);
    expect(d).toMatch(/HLH-2004: 1 met, 7 unknown of 8/);
    expect(d).toContain('Ferritin 24,500 ng/mL');
    if (n) expect(d).toContain('- Documented infection: Sepsis due to organism');
    if (n) expect(d).toMatch(/do not lower the indicator|none lowers the indicator/);
    for (let i = 0; i < others; i++) expect(d).toContain(`trimethoprim-sulfamethoxazole ${i}`.slice(0, 16));
  });
  it('the treatment hint and the missing tests go before the criteria, which collapse to "and N more"', () => {
    const many = Object.fromEntries(['fever', 'splenomegaly', 'cytopenias', 'triglycerides-fibrinogen', 'hemophagocytosis', 'nk-activity', 'scd25'].map((id) => [id, 'met' as const]));
    const a = assessment({ iec: 'suggestive', hlh: many, lastSeen: {} });
    a.alternatives = Array.from({ length: 3 }, (_, i) => infection(i));
    a.iecHs!.mayBePresent = Array.from({ length: 12 }, (_, i) => item(`extra-${i}`, 'met'));
    // Labels are card content: the site's wording names these findings (the engine's own labels are never shown).
    const labels = Object.fromEntries(a.iecHs!.mayBePresent.map((x, i) => [x.id, `An extra may-be-present feature number ${i}`]));
    const site = { ...content, wording: { ...content.wording, brief: { ...content.wording.brief, criterionLabels: { ...content.wording.brief.criterionLabels, ...labels } } } };
    const d = renderCards(a, { patientId: 'p1' }, site, seqIds())[0]!.detail!;
    expect(d.length).toBeLessThanOrEqual(BRIEF_BUDGET.critical);
    expect(d).not.toContain(b.consider.iec);
    expect(d).toMatch(/and \d+ more \(see the evidence view\)/);
    expect(d).toContain('- Documented infection: Sepsis due to organism number 0');
  });
  it('a critical card that fits keeps everything, sources never in the detail', () => {
    const a = assessment({ iec: 'suggestive', hscore: 200, lastSeen: {} });
    const card = renderCards(a, { patientId: 'p1', evidenceLink: { url: 'https://cds.example.org/evidence/launch', label: 'Open the evidence view' } }, content, seqIds())[0]!;
    const d = card.detail!;
    expect(card.indicator).toBe('critical');
    expect(d).toContain(b.consider.iec);
    expect(d).toContain('**Missing or stale:**');
    expect(d).toContain('**Open the evidence view** (link below)');
    expect(d).not.toMatch(/https?:\/\//);
    expect(card.links!.map((l) => l.url)).toContain('https://doi.org/10.1016/j.jtct.2023.03.006');
  });
});

describe('met criteria in the lab\'s unit system, the threshold in the same system', () => {
  const t = (operator: '<=' | '>=' | '<', value: number, unit: string) => ({ operator, value, unit, basis: 'absolute' as const, citation: 'HLH-2004', status: 'confirmed' as const });
  it.each([
    // compared in the canonical unit, reported in g/L: both shown in g/L
    ['fibrinogen', item('triglycerides-fibrinogen.fibrinogen', 'met', { value: 130, unit: 'mg/dL', original: { value: 1.3, unit: 'g/L' }, threshold: t('<=', 150, 'mg/dL') }), 'Fibrinogen 1.3 g/L (≤ 1.5)'],
    // compared in the lab's own system (the knowledge restates the threshold in µg/L)
    ['ferritin', item('ferritin', 'met', { value: 18600, unit: 'ng/mL', original: { value: 18600, unit: 'ug/L' }, threshold: t('>=', 500, 'ug/L') }), 'Ferritin 18,600 µg/L (≥ 500)'],
    // °C threshold for a °F reading: converted, not scaled (38.5 °C = 101.3 °F)
    ['fever', item('fever', 'met', { value: 38.89, unit: 'Cel', original: { value: 102, unit: 'F' }, threshold: t('>=', 38.5, 'Cel') }), 'Fever 102°F (≥ 101.3)'],
    // canonical report: as is
    ['platelets', item('cytopenias.platelets', 'met', { value: 42, unit: '10*9/L', threshold: t('<', 100, '10*9/L') }), 'Platelets 42 ×10⁹/L (&lt; 100)'],
  ])('%s', (_name, it_, expected) => {
    const a = assessment({ cls: 'checkpoint-inhibitor', agent: 'pembrolizumab' });
    // sub-items are shown through their HLH-2004 criterion
    const top = it_.id.split('.')[0]!;
    a.hlh2004.items = [top === it_.id ? it_ : item(top, 'met', { label: top, components: [it_] })];
    expect(metCriteriaLines(a, content)).toEqual([expected]);
  });
});
