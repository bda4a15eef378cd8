import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { HelpRequested } from '../../src/cli/cli-run';
import { asOfHint, entriesOf, evaluateBundle, main, parseArgs, readBundle, toPrefetch, UsageError } from '../../src/cli/evaluate';
import { cardsResponseSchema, ownCardSchema } from '../../src/hooks/response';
import { defaultKnowledge } from '../../src/knowledge';
import { loadCardContent } from '../../src/render/content';
import { EXTENSION_KEY, assessmentExtensionSchema } from '../../src/render/extension';

const content = loadCardContent();
const BUNDLE = path.join(__dirname, 'bundles/car-t-day12.json');

describe('evaluate CLI: arguments and bundle hints', () => {
  it('parses options', () => {
    expect(parseArgs(['a.json', '--as-of', '2024-05-13T08:00:00Z', '--format', 'json'])).toEqual({
      files: ['a.json'],
      asOf: '2024-05-13T08:00:00Z',
      format: 'json',
    });
    expect(parseArgs(['--all', 'examples/patients']).all).toBe('examples/patients');
    expect(() => parseArgs([])).toThrow(UsageError);
    expect(() => parseArgs(['a.json', '--format', 'xml'])).toThrow(/--format/);
    expect(() => parseArgs(['a.json', '--as-of', 'yesterday'])).toThrow(/--as-of/);
    expect(() => parseArgs(['a.json', '--bogus'])).toThrow(/Unknown option '--bogus'/);
    expect(() => parseArgs(['a.json', '--as-of'])).toThrow(/argument missing/);
    expect(() => parseArgs(['a.json', '--as-of', '--format', 'json'])).toThrow(UsageError);
    expect(() => parseArgs(['--help'])).toThrow(HelpRequested);
  });
  it('reads asOf from meta.extension, meta.tag, then Bundle.timestamp', () => {
    expect(asOfHint({ resourceType: 'Bundle', meta: { extension: [{ url: 'urn:hlh-sentinel:as-of', valueDateTime: '2024-01-02T03:04:05Z' }] } })).toBe('2024-01-02T03:04:05Z');
    expect(asOfHint({ resourceType: 'Bundle', meta: { tag: [{ system: 'urn:hlh-sentinel:as-of', code: '2024-02-02T00:00:00Z' }] } })).toBe('2024-02-02T00:00:00Z');
    expect(asOfHint({ resourceType: 'Bundle', meta: { tag: [{ code: 'as-of', display: '2024-03-03T00:00:00Z' }] } })).toBe('2024-03-03T00:00:00Z');
    expect(asOfHint({ resourceType: 'Bundle', timestamp: '2024-04-04T00:00:00Z' })).toBe('2024-04-04T00:00:00Z');
    expect(asOfHint({ resourceType: 'Bundle' })).toBeUndefined();
  });
});

describe('evaluate CLI: offline pipeline (buildTimeline → assess → renderCards)', () => {
  it('renders a valid warning card for a CAR T patient on day 12', () => {
    const r = evaluateBundle(BUNDLE, readBundle(BUNDLE), {}, defaultKnowledge, content);
    expect(r).toMatchObject({ patientId: 'cli-cart', asOf: '2024-05-13T08:00:00Z', asOfFrom: 'bundle' });
    cardsResponseSchema.parse({ cards: r.cards });
    expect(r.cards).toHaveLength(1);
    const card = ownCardSchema.parse(r.cards[0]);
    expect(['warning', 'critical']).toContain(card.indicator);
    expect(card.summary).toMatch(/^Possible IEC-HS.*day 12 after axi-cel: ferritin 24,500 ng\/mL/);
    const ext = assessmentExtensionSchema.parse(card.extension![EXTENSION_KEY]);
    expect(ext.exposure).toMatchObject({ class: 'car-t', daysSince: 12 });
    // ferritin, fibrinogen and platelets were measured 2 h before asOf: never re-ordered
    const orders = card.suggestions!.find((s) => s.isRecommended)!.actions!.map((a) => JSON.stringify(a.resource));
    expect(orders.some((o) => o.includes('"2276-4"'))).toBe(false);
    expect(orders.some((o) => o.includes('"3255-7"'))).toBe(false);
    expect(orders.every((o) => o.includes('"Encounter/cli-enc"') && o.includes('"Patient/cli-cart"'))).toBe(true);
  });
  it('--as-of before the infusion → no card', () => {
    const r = evaluateBundle(BUNDLE, readBundle(BUNDLE), { asOf: '2024-04-30T00:00:00Z' }, defaultKnowledge, content);
    expect(r.cards).toEqual([]);
    expect(r.asOfFrom).toBe('option');
  });
  it('main prints JSON and text', async () => {
    const out: string[] = [];
    await main([BUNDLE], (s) => out.push(s));
    const text = out.join('\n');
    expect(text).toContain('"cards": [');
    expect(text).toMatch(/\[(WARNING|CRITICAL)\] Possible IEC-HS/);
    expect(text).toContain('Order HLH work-up (');
  });
  it('--card-detail brief (default) or full; anything else is a usage error', async () => {
    expect(parseArgs(['a.json', '--card-detail', 'full']).cardDetail).toBe('full');
    expect(() => parseArgs(['a.json', '--card-detail', 'short'])).toThrow(/--card-detail must be brief or full/);
    const brief = evaluateBundle(BUNDLE, readBundle(BUNDLE), {}, defaultKnowledge, content).cards[0]!.detail!;
    const full = evaluateBundle(BUNDLE, readBundle(BUNDLE), { cardDetail: 'full' }, defaultKnowledge, content).cards[0]!.detail!;
    expect(brief.length).toBeLessThanOrEqual(1200);
    expect(brief).not.toContain('| Criterion |');
    expect(full).toContain('| Criterion | State | Value | Threshold | Time | Reference range (source) |');
    const out: string[] = [];
    await main([BUNDLE, '--card-detail', 'full', '--format', 'text'], (s) => out.push(s));
    expect(out.join('\n')).toContain('Criterion | State');
  });
  it('--evidence-url: the card links to the evidence view as the service\'s cards do, and the brief detail points to it', async () => {
    expect(() => parseArgs(['a.json', '--evidence-url', 'javascript:alert(1)'])).toThrow(/--evidence-url must be an http/);
    const out: string[] = [];
    await main([BUNDLE, '--evidence-url', 'https://cds.example.org/evidence/launch', '--format', 'json'], (s) => out.push(s));
    const card = (JSON.parse(out.join('\n')) as Array<{ cards: Array<{ links: Array<{ label: string }>; detail: string }> }>)[0]!.cards[0]!;
    expect(card.links[0]).toMatchObject({ type: 'smart', url: 'https://cds.example.org/evidence/launch' });
    expect(card.detail.replace(/\\/g, '')).toContain(`**${card.links[0]!.label}** (link below)`);
  });
});

describe('evaluate CLI: output and exit codes', () => {
  it('--format json prints one JSON document and nothing else, one entry per bundle', async () => {
    const out: string[] = [];
    await main([BUNDLE, BUNDLE, '--format', 'json'], (s) => out.push(s));
    const results = JSON.parse(out.join('\n')) as Array<{ file: string; patientId: string; asOfFrom: string; cards: unknown[] }>;
    expect(results).toHaveLength(2);
    expect(results[0]).toMatchObject({ file: BUNDLE, patientId: 'cli-cart', asOfFrom: 'bundle' });
    cardsResponseSchema.parse({ cards: results[0]!.cards });
  });
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['-r', './test/support/ts-register.js', 'src/cli/evaluate.ts', ...args], { cwd: path.join(__dirname, '../..'), encoding: 'utf8', timeout: 60_000 });
  it('--help prints the usage to stdout and exits 0; bad arguments exit 2 with the message and no stack trace', () => {
    const help = run('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: evaluate <bundle\.json>/);
    expect(help.stderr).toBe('');
    const bad = run(BUNDLE, '--format', 'xml');
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/^evaluate: --format must be text, json, both or html/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('evaluate CLI: prefetch split for --url', () => {
  it('groups resources by the discovery templates; empty keys get empty Bundles, absent Patient null', () => {
    const templates = {
      patient: 'Patient/{{context.patientId}}',
      labsChemistry: 'Observation?patient=Patient/{{context.patientId}}&code=http://loinc.org|2276-4,http://loinc.org|1742-6&_sort=-date&_count=200',
      labsBloodCount: 'Observation?patient=Patient/{{context.patientId}}&code=http://loinc.org|777-3&_sort=-date&_count=200',
      findingObservations: 'Observation?patient=Patient/{{context.patientId}}&code=urn:hlh-sentinel:finding|hemophagocytosis&_count=100',
      conditions: 'Condition?patient=Patient/{{context.patientId}}&_count=100',
      medicationAdministrations: 'MedicationAdministration?patient=Patient/{{context.patientId}}&_count=100',
    };
    const p = toPrefetch(entriesOf(readBundle(BUNDLE)), templates);
    expect(Object.keys(p).sort()).toEqual(Object.keys(templates).sort());
    expect(p.patient).toMatchObject({ resourceType: 'Patient', id: 'cli-cart' });
    const ids = (k: string) => ((p[k] as { entry?: { resource: { id: string } }[] }).entry ?? []).map((e) => e.resource.id);
    expect(ids('labsChemistry')).toEqual(['fer-0', 'fer-1', 'fer-2']);
    expect(ids('labsBloodCount')).toEqual(['plt-1']);
    expect(ids('medicationAdministrations')).toEqual(['ma-1']);
    expect(p.conditions).toEqual({ resourceType: 'Bundle', type: 'searchset', total: 0 });
    // an Observation no template matches is left out, as the EHR's searches would not return it
    expect(ids('findingObservations')).toEqual([]);
    expect(JSON.stringify(p)).not.toMatch(/"fib-1"|"hb-1"/);
    expect(toPrefetch([], { patient: 'Patient/{{context.patientId}}' }).patient).toBeNull();
  });
});

describe('evaluate CLI: prefetch split follows code vs combo-code as a FHIR server would', () => {
  const panel = {
    resourceType: 'Observation',
    id: 'cbc',
    code: { coding: [{ system: 'http://loinc.org', code: '58410-2' }] },
    component: [{ code: { coding: [{ system: 'http://loinc.org', code: '777-3' }] } }],
  };
  const t = (param: string) => ({ labsBloodCount: `Observation?patient=Patient/{{context.patientId}}&${param}=http://loinc.org|777-3&_count=200` });
  const ids = (p: Record<string, unknown>) => ((p.labsBloodCount as { entry?: { resource: { id: string } }[] }).entry ?? []).map((e) => e.resource.id);
  it('combo-code finds a panel by a component code; code does not', () => {
    expect(ids(toPrefetch([panel], t('combo-code')))).toEqual(['cbc']);
    expect(ids(toPrefetch([panel], t('code')))).toEqual([]);
  });
});

// End to end over the shipped synthetic patients (examples/patients/*.json), once they exist.
const EXAMPLES = path.resolve(__dirname, '../../examples/patients');
const examples = existsSync(EXAMPLES) ? readdirSync(EXAMPLES).filter((f) => f.endsWith('.json')) : [];
/** Expected indicator per example file (undefined = no card); unknown new files are only schema-checked. */
const EXPECTED: Record<string, 'info' | 'warning' | 'critical' | undefined> = {
  'iec-hs-axicel.json': 'critical', // florid IEC-HS, day 12 after axi-cel
  'ici-hlh-pembrolizumab.json': 'critical', // HLH-2004 ≥ 5 on a checkpoint inhibitor
  'lamotrigine-hlh.json': 'critical', // HScore ≥ 169, lamotrigine
  'crs-no-iec-hs.json': undefined, // CRS after CAR T; ferritin below 2× ULN
  'isolated-hyperferritinemia.json': undefined, // drug exposure, ferritin alone → no card
  'no-exposure.json': undefined,
};
(examples.length ? describe : describe.skip)('examples/patients end to end', () => {
  it.each(examples.length ? examples : ['none'])('%s renders schema-valid cards with the expected indicator', (f) => {
    const file = path.join(EXAMPLES, f);
    const r = evaluateBundle(file, readBundle(file), {}, defaultKnowledge, content);
    cardsResponseSchema.parse({ cards: r.cards });
    for (const c of r.cards) {
      ownCardSchema.parse(c);
      assessmentExtensionSchema.parse(c.extension![EXTENSION_KEY]);
    }
    if (f in EXPECTED) expect(r.cards[0]?.indicator).toBe(EXPECTED[f]);
    if (f === 'lamotrigine-hlh.json') {
      const s = r.cards[0]!.suggestions!.find((x) => x.label.includes('lamotrigine'));
      expect(s?.actions).toBeUndefined();
    }
  });
});
