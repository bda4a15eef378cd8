import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CardContentError, defaultCardsDir, loadCardContent } from '../../src/render/content';

const shipped = path.resolve(__dirname, '../../cards');

function siteCopy(edit: (dir: string) => void): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cards-'));
  cpSync(shipped, dir, { recursive: true });
  edit(dir);
  return dir;
}
function editJson(dir: string, file: string, fn: (j: Record<string, unknown>) => void) {
  const p = path.join(dir, file);
  const j = JSON.parse(readFileSync(p, 'utf8'));
  fn(j);
  writeFileSync(p, JSON.stringify(j));
}

describe('card content', () => {
  it('finds the shipped cards/ folder from src/render and from dist/src/render', () => {
    expect(defaultCardsDir()).toBe(shipped);
    expect(defaultCardsDir(path.resolve(__dirname, '../../dist/src/render'))).toBe(shipped);
  });

  it('loads and validates the shipped content', () => {
    const c = loadCardContent();
    expect(c.dir).toBe(shipped);
    expect(c.workup.items.find((i) => i.id === 'ferritin')?.coding).toEqual([{ system: 'http://loinc.org', code: '2276-4' }]);
    // no guessed codes: items without a §7 LOINC are text-only
    for (const id of ['cbc-diff', 'scd25', 'blood-cultures', 'ebv-pcr', 'cmv-pcr', 'bone-marrow']) {
      expect(c.workup.items.find((i) => i.id === id)?.coding).toBeUndefined();
    }
    expect(c.overrideReasons.reasons.length).toBeGreaterThanOrEqual(3);
  });

  it('every LOINC in the catalogue is one the knowledge base lists', () => {
    const allowed = new Set(['2276-4', '1742-6', '1920-8', '1975-2', '1968-7', '2532-0', '3255-7', '5902-2', '6301-6', '14979-9', '48065-7', '2571-8', '1988-5', '26881-3', '2160-0']);
    for (const i of loadCardContent().workup.items) for (const c of i.coding ?? []) expect(allowed.has(c.code)).toBe(true);
  });

  it('a site copy with edited wording is used', () => {
    const dir = siteCopy((d) => editJson(d, 'override-reasons.json', (j) => ((j.reasons as unknown[]).push({ code: 'site-reason', display: 'Site reason' }))));
    expect(loadCardContent(dir).overrideReasons.reasons.map((r) => r.code)).toContain('site-reason');
  });

  it('invalid content fails with a message naming the file and key', () => {
    const dir = siteCopy((d) => editJson(d, 'workup.json', (j) => ((j.items as Record<string, unknown>[])[0]!.freshnessHours = -1)));
    expect(() => loadCardContent(dir)).toThrow(CardContentError);
    expect(() => loadCardContent(dir)).toThrow(/workup\.json: items\[0\]\.freshnessHours/);
  });

  it('unknown keys, bad source references and non-http links are rejected', () => {
    const typo = siteCopy((d) => editJson(d, 'workup.json', (j) => (j.itemz = [])));
    expect(() => loadCardContent(typo)).toThrow(/workup\.json: .*itemz/);
    // The indicator rules are knowledge now: a site copy that still lists them is told where they went.
    const rules = siteCopy((d) => editJson(d, 'manifest.json', (j) => ((j.files as Record<string, string>).indicatorRules = 'indicator-rules.json')));
    expect(() => loadCardContent(rules)).toThrow(/manifest\.json: files\.indicatorRules: indicator rules are clinical knowledge now/);
    const badRef = siteCopy((d) => editJson(d, 'sources.json', (j) => ((j.cite as Record<string, string[]>)['iec-hs']!.push('nope'))));
    expect(() => loadCardContent(badRef)).toThrow(/sources\.json: cite\.iec-hs\[\d\]: unknown source "nope"/);
    const js = siteCopy((d) => editJson(d, 'sources.json', (j) => ((j.sources as Record<string, { url?: string }>)['hlh-2004']!.url = 'javascript:alert(1)')));
    expect(() => loadCardContent(js)).toThrow(/sources\.json: sources\.hlh-2004\.url/);
  });

  it('every engine reason and flag needs its wording: a site copy without one is refused naming the code', () => {
    const dir = siteCopy((d) => editJson(d, 'wording.json', (j) => delete ((j.criteria as Record<string, Record<string, string>>).flags as Record<string, string>)['age-adjusted']));
    expect(() => loadCardContent(dir)).toThrow(/wording\.json: criteria\.flags\.age-adjusted/);
    const extra = siteCopy((d) => editJson(d, 'wording.json', (j) => (((j.criteria as Record<string, Record<string, string>>).reasons as Record<string, string>)['made-up'] = 'x')));
    expect(() => loadCardContent(extra)).toThrow(/wording\.json: criteria\.reasons/);
  });

  it('criterion labels are content: a site template is used with the knowledge values in force; a missing id is refused', () => {
    const dir = siteCopy((d) => editJson(d, 'wording.json', (j) => (((j.items as Record<string, Record<string, string>>).iecHs as Record<string, string>)['ferritin.uln'] = 'Ferritine > {factor} × LSN')));
    expect(loadCardContent(dir).wording.items.iecHs['ferritin.uln']).toBe('Ferritine > {factor} × LSN');
    const missing = siteCopy((d) => editJson(d, 'wording.json', (j) => delete ((j.items as Record<string, Record<string, string>>).hlh2004 as Record<string, string>)['scd25']));
    expect(() => loadCardContent(missing)).toThrow(/wording\.json: items\.hlh2004\.scd25/);
  });

  it('missing folder or broken JSON fails clearly', () => {
    expect(() => loadCardContent('/nonexistent/cards')).toThrow(/cannot read .*manifest\.json/);
    const broken = siteCopy((d) => writeFileSync(path.join(d, 'wording.json'), '{'));
    expect(() => loadCardContent(broken)).toThrow(/wording\.json is not valid JSON/);
  });
});
