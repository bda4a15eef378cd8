/**
 * The card's detail, suggestions and the evidence view's tables take every sentence from the card content: a
 * site copy without one of those texts is refused at start-up naming the key, and a site's changed text is what
 * the clinician reads.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Assessment, CriterionItem, ValueRef } from '../../src/criteria/types';
import { loadEvidenceContent, parseEvidenceContent } from '../../src/evidence/content';
import { criteriaTables } from '../../src/evidence/view/criteria';
import { pageConfig } from '../../src/evidence/page';
import { evidenceView } from '../../src/evidence/view';
import { entriesOf } from '../../src/cli/evaluate';
import { defaultKnowledge } from '../../src/knowledge';
import { loadCardContent } from '../../src/render/content';
import { renderCards } from '../../src/render/cards';
import { assessment, item, seqIds } from './fixtures';

const shipped = path.resolve(__dirname, '../../cards');
type Json = Record<string, unknown>;

/** A copy of the shipped cards/ with one key of wording.json set (a string) or deleted (undefined). */
function siteWording(keyPath: string, value: string | undefined): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cards-'));
  cpSync(shipped, dir, { recursive: true });
  const file = path.join(dir, 'wording.json');
  const j = JSON.parse(readFileSync(file, 'utf8')) as Json;
  const keys = keyPath.split('/');
  const parent = keys.slice(0, -1).reduce((o, k) => o[k] as Json, j);
  const last = keys[keys.length - 1]!;
  if (value === undefined) delete parent[last];
  else parent[last] = value;
  writeFileSync(file, JSON.stringify(j));
  return dir;
}

const ref = (value: number, time: string): ValueRef => ({ analyte: 'ferritin', value, unit: 'ng/mL', time, status: 'final', original: { value }, source: 'Observation/x' });

/** An IEC-HS assessment that reaches every text of the detail: CRS relation, baseline, rapid rise, pediatric, trend, stale work-up. */
function rich(): Assessment {
  const a = assessment({ hscore: 150, hscoreMax: 200, missing: ['scd25'], lastSeen: { ferritin: '2024-05-01T06:00:00Z' } });
  const iec = a.iecHs!;
  iec.crsRelation = 'after-crs-resolution';
  iec.mayBePresent = [
    item('ldh', 'unknown', { reason: 'no-data' }),
    item('triglycerides', 'not-met', { value: 2, unit: 'mmol/L', original: { value: 177, unit: 'mg/dL' }, referenceRange: { high: 1.7, unit: 'mmol/L', source: 'lab', text: '<1.7' } }),
  ];
  const threshold = (basis: 'baseline' | 'earlier-value' | 'lln', status: 'confirmed' | 'design') => ({ operator: '>', value: 6000, unit: 'ng/mL', basis, factor: 2, citation: 'c', status, statusReason: 's' }) as const;
  const extra: CriterionItem[] = [
    item('ferritin.rising', 'met', { value: 9000, unit: 'ng/mL', comparison: ref(3000, '2024-05-11T06:00:00Z'), threshold: threshold('earlier-value', 'design') }),
    item('ferritin.baseline', 'met', { value: 9000, unit: 'ng/mL', multiple: { of: 'baseline', factor: 3 }, baseline: ref(3000, '2024-05-01T06:00:00Z'), threshold: threshold('baseline', 'confirmed') }),
    item('coagulopathy.inr', 'met', {
      value: 2,
      unit: '{INR}',
      multiple: { of: 'lln', factor: 2 },
      referenceRange: { low: 1, unit: '{INR}', source: 'fallback', unreadText: 'see lab' },
      flags: ['pediatric-fallback-range'],
      threshold: threshold('lln', 'design'),
    }),
    item('ldh', 'unknown', { original: { value: 'pending' }, referenceRange: { high: 250, unit: 'U/L', source: 'default' } }),
  ];
  iec.features.push(...extra);
  iec.features[0]!.flags = ['default-uln', 'pediatric-fallback-range'];
  a.unusable = [{ analyte: 'ldh', kind: 'data-absent', time: '2024-05-13T06:00:00Z', source: 'Observation/u' }];
  a.ohi.state = 'met';
  a.hlh2004.documentedDiagnosis = ['Condition/hlh'];
  const primary = a.exposure.primary!;
  primary.matchedBy = 'name';
  primary.matched = 'yescarta';
  a.trends.items[0]!.change48h = { from: ref(3200, '2024-05-11T06:00:00Z'), to: ref(24500, '2024-05-13T06:00:00Z'), hours: 47.6, absolute: 21300, ratio: 7.66, approximate: true };
  return a;
}

/** The card's full detail and its suggestions' labels and action descriptions, as one text. */
function cardText(dir: string, a: Assessment = rich()): string {
  const [card] = renderCards(a, { patientId: 'p1', detail: 'full' }, loadCardContent(dir), seqIds());
  const suggestions = (card?.suggestions ?? []).flatMap((s) => [s.label, ...(s.actions ?? []).map((x) => x.description ?? '')]);
  return [card?.detail ?? '', ...suggestions].join('\n');
}

// One key per wording group the renderer reads (paths into cards/wording.json).
const KEYS = [
  'detail/headings/hlh2004',
  'detail/crsRelation/after-crs-resolution',
  'detail/mayBePresent',
  'detail/notAssessable',
  'detail/hlh2004Status/reachable',
  'detail/hlh2004Diagnosis',
  'detail/ohiState/met',
  'detail/provenanceContent',
  'detail/criteriaHeader/range',
  'detail/states/not-met',
  'detail/unknownBecause',
  'detail/basis/earlier-value',
  'detail/values/earlierValue',
  'detail/rangeSource/default',
  'detail/rangeFromText',
  'detail/rangeUnreadable',
  'detail/fallbackPopulation',
  'detail/hscore/method',
  'detail/hscore/upTo',
  'detail/hscore/missing',
  'detail/trendChange',
  'detail/workup/stale',
  'detail/workup/staleItem',
  'detail/pediatricRanges/default',
  'detail/matchedByName',
  'detail/unspecifiedReason',
  'suggestions/order',
  'suggestions/orderOptional',
  'suggestions/due/missing',
  'suggestions/due/stale',
];

describe('card detail wording is content', () => {
  const shippedText = cardText(shipped);

  it.each(KEYS)('a site copy without %s is refused at start-up naming the key', (key) => {
    const dir = siteWording(key, undefined);
    const dotted = key.replace(/\//g, '.').replace(/\./g, '\\.');
    expect(() => loadCardContent(dir)).toThrow(new RegExp(`wording\\.json: ${dotted}`));
  });

  it.each(KEYS)('a site text for %s is what the card shows', (key) => {
    const marker = `SITE-${key.replace(/[^a-z0-9]/gi, '')}`;
    expect(shippedText).not.toContain(marker);
    // Keep the placeholders a template had, so the values still show.
    const original = key.split('/').reduce((o: unknown, k) => (o as Json)[k], JSON.parse(readFileSync(path.join(shipped, 'wording.json'), 'utf8'))) as string;
    const placeholders = original.match(/\{[a-zA-Z]+\}/g) ?? [];
    const text = cardText(siteWording(key, [marker, ...placeholders].join(' ')));
    expect(text).toContain(marker);
  });

  it('the summary names its signal with the site text', () => {
    const reached = assessment({ hlh: { fever: 'met', splenomegaly: 'met', cytopenias: 'met', ferritin: 'met', scd25: 'met' } });
    const summary = (dir: string) => renderCards(reached, { patientId: 'p1' }, loadCardContent(dir), seqIds())[0]?.summary;
    expect(summary(shipped)).toContain('HLH-2004 5/8');
    expect(summary(siteWording('summarySignal/hlh2004', 'SITE-signal {met} of {total}'))).toContain('SITE-signal 5 of 8');
    expect(() => loadCardContent(siteWording('summarySignal/hscore', undefined))).toThrow(/wording\.json: summarySignal\.hscore/);
  });

  it('the HScore probability carries no engine wording: the method text comes from the content', () => {
    expect(rich().hscore).not.toHaveProperty('probabilityLabel');
    expect(shippedText).toContain('per Fardet 2014 table');
  });

  it('the HScore variables still unknown are named by their card labels, never their ids', () => {
    const a = rich();
    expect(a.hscore.missing).toEqual(['hemophagocytosis', 'triglycerides']);
    expect(shippedText).toContain('Missing or partly unknown: Triglycerides, Hemophagocytosis on bone marrow aspirate.');
    const site = cardText(siteWording('items/hscore/hemophagocytosis', 'SITE-hemophagocytosis'));
    expect(site).toMatch(/Missing or partly unknown: .*SITE-hemophagocytosis/);
  });
});

describe('evidence view tables take their words from the content', () => {
  const evidenceJson = JSON.parse(readFileSync(path.join(shipped, 'evidence.json'), 'utf8')) as Json;

  it.each(['values', 'fallbackPopulation', 'rangeSources'])('an evidence.json without %s is refused naming the key', (key) => {
    const copy = structuredClone(evidenceJson);
    delete copy[key];
    expect(() => parseEvidenceContent(copy)).toThrow(new RegExp(`evidence\\.json: ${key}`));
  });

  const tablesText = (evidence: ReturnType<typeof loadEvidenceContent>, wordingDir = shipped) =>
    JSON.stringify(criteriaTables(rich(), evidence, loadCardContent(wordingDir).wording));

  it.each([
    ['values', { reported: 'SITE-rep {value}', reportedAs: 'SITE-as {value}', baseline: 'SITE-base {value} {time}', earlierValue: 'SITE-earlier {value} {time}' }, ['SITE-rep pending', 'SITE-as 177', 'SITE-base 3,000', 'SITE-earlier 3,000']],
    ['rangeSources', { lab: 'SITE-lab', fallback: 'SITE-fallback {population}', default: 'SITE-default' }, ['SITE-lab', 'SITE-fallback adult', 'SITE-default']],
  ] as const)('a site text for %s is what the view shows', (key, value, expected) => {
    const site = parseEvidenceContent({ ...structuredClone(evidenceJson), [key]: value });
    const text = tablesText(site);
    for (const e of expected) expect(text).toContain(e);
  });

  it('chart threshold lines name their framework with the site text', () => {
    const file = path.resolve(__dirname, '../../examples/patients/iec-hs-axicel.json');
    const resources = entriesOf(JSON.parse(readFileSync(file, 'utf8')));
    const frameworks = { iecHs: 'SITE-astct', hlh2004: 'SITE-hlh', ohi: 'SITE-ohi' };
    const evidence = parseEvidenceContent({ ...structuredClone(evidenceJson), charts: { ...(evidenceJson.charts as Json), frameworks } });
    const config = pageConfig({ knowledge: defaultKnowledge, cards: loadCardContent(), evidence, queries: {}, maxPages: 5, smart: { clientId: 'c', scope: 'launch' } });
    const { view } = evidenceView(config, { mode: 'offline', server: 'x.json', patientId: 'iec-hs-axicel', resources, issues: [], asOf: '2026-03-15T12:00:00Z', asOfFrom: 'file' });
    const labels = view.charts.flatMap((c) => c.lines.filter((l) => l.kind === 'threshold').map((l) => l.label));
    expect(labels.some((l) => l.includes('SITE-astct'))).toBe(true);
    expect(labels.some((l) => l.includes('SITE-hlh'))).toBe(true);
    expect(labels.join(' ')).not.toMatch(/ASTCT|HLH-2004/);
  });

  it('basis words and the probability method are the card content’s, shown the same in the view', () => {
    const basis = tablesText(loadEvidenceContent(), siteWording('detail/basis/earlier-value', 'SITE-earlier-basis'));
    expect(basis).toContain('2× SITE-earlier-basis');
    const method = tablesText(loadEvidenceContent(), siteWording('detail/hscore/method', 'SITE-method'));
    expect(method).toContain('SITE-method');
  });
});
