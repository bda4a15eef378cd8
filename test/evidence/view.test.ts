/**
 * The evidence view model (the page's functional core, run here in Node): charts, lines, window, exposure
 * timeline, tables, missing tests and the comparison with the card's app context, on the example patients.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { entriesOf } from '../../src/cli/evaluate';
import { loadEvidenceContent } from '../../src/evidence/content';
import { pageConfig } from '../../src/evidence/page';
import { evidenceView, type DataSource, type EvidenceView } from '../../src/evidence/view';
import { defaultKnowledge } from '../../src/knowledge';
import { parseAppContext, buildAppContext } from '../../src/render/app-context';
import { loadCardContent } from '../../src/render/content';
import { HOUR_MS, toEpochMs } from '../../src/timeline/time';

const AS_OF = '2026-03-15T12:00:00Z';
const config = pageConfig({ knowledge: defaultKnowledge, cards: loadCardContent(), evidence: loadEvidenceContent(), queries: {}, maxPages: 5, smart: { clientId: 'c', scope: 'launch' } });
const resources = (id: string) => entriesOf(JSON.parse(readFileSync(path.resolve(__dirname, `../../examples/patients/${id}.json`), 'utf8')));

function run(id: string, extra: Partial<DataSource> = {}) {
  return evidenceView(config, { mode: 'offline', server: `${id}.json`, patientId: id, resources: resources(id), issues: [], asOf: AS_OF, asOfFrom: 'file', ...extra });
}
const chart = (v: EvidenceView, id: string) => v.charts.find((c) => c.id === id)!;
const labels = (v: EvidenceView, id: string, kind?: string) => chart(v, id).lines.filter((l) => !kind || l.kind === kind).map((l) => l.label);

describe('IEC-HS after axi-cel (day 12)', () => {
  const { view, assessment } = run('iec-hs-axicel');

  it('the header says what the card says', () => {
    expect(view.indicator).toBe('critical');
    expect(view.summary).toMatch(/^Possible IEC-HS \(HScore 210\), day 12 after axi-cel: ferritin 24,500 ng\/mL/);
    expect(view.patient).toBe('Patient iec-hs-axicel, male, born 1963-07-21');
  });

  it('ferritin: every value up to asOf, each threshold a criterion compared it with, the baseline and the ULN; not the moving rapid-rise threshold', () => {
    const f = chart(view, 'ferritin');
    expect(f.points.map((p) => [p.time, p.value])).toEqual([
      ['2026-02-28 08:00Z', 450],
      ['2026-03-13 12:00Z', 9800],
      ['2026-03-15 08:00Z', 24500],
    ]);
    expect(labels(view, 'ferritin', 'threshold').sort()).toEqual(['ASTCT > 800 ng/mL', 'ASTCT > 900 ng/mL', 'HLH-2004 ≥ 500 ng/mL', 'OHI > 1,000 ng/mL'].sort());
    expect(labels(view, 'ferritin', 'baseline')).toEqual(['baseline 450 ng/mL']);
    expect(labels(view, 'ferritin', 'uln')).toEqual(['ULN 400 ng/mL']);
    expect(labels(view, 'ferritin', 'lln')).toEqual([]); // thresholds look up: the lower bound is noise here
    expect(labels(view, 'ferritin').join()).not.toContain('19,600');
    expect(f.scale).toBe('log');
    expect(f.day0).toBe(toEpochMs('2026-03-03T14:00:00Z'));
    expect(f.points[0]!.inLookback).toBe(false);
    expect(f.points[2]!.inLookback).toBe(true);
    expect(f.points[2]!.text).toBe('Ferritin 24,500 ng/mL at 2026-03-15 08:00Z');
  });

  it('falling analytes show the LLN; shared thresholds of two series are labelled once; lab-unit thresholds are rescaled', () => {
    expect(labels(view, 'fibrinogen', 'lln')).toEqual(['LLN 200 mg/dL']);
    expect(labels(view, 'fibrinogen', 'uln')).toEqual([]);
    expect(labels(view, 'transaminases', 'threshold')).toEqual(['ALT, AST: ASTCT > 175 U/L']);
    const tg = chart(view, 'triglycerides').lines.find((l) => l.kind === 'threshold')!;
    expect(tg.label).toMatch(/^ASTCT, HLH-2004 > 3 mmol\/L \(26\d mg\/dL\)$|^ASTCT > 3 mmol\/L \(26\d mg\/dL\)$/);
    expect(tg.value).toBeGreaterThan(260);
    expect(tg.value).toBeLessThan(270);
    expect(labels(view, 'temperature', 'threshold')).toEqual(['ASTCT, HLH-2004 ≥ 38.5°C']);
  });

  it('one window for every chart: from before the baseline to asOf; the temperature lookback is 72 h', () => {
    const [start, end] = chart(view, 'ferritin').domain;
    expect(start).toBeLessThan(toEpochMs('2026-02-28T08:00:00Z')!);
    expect(end).toBeGreaterThan(toEpochMs(AS_OF)!);
    expect(new Set(view.charts.map((c) => c.domain.join()))).toEqual(new Set([chart(view, 'ferritin').domain.join()]));
    expect(chart(view, 'temperature').lookbackStart).toBe(toEpochMs(AS_OF)! - 72 * HOUR_MS);
    expect(chart(view, 'ldh').points).toHaveLength(1);
  });

  it('exposure timeline: day 0, CRS, asOf; the therapy table', () => {
    expect(view.exposure.events.map((e) => e.kind).sort()).toEqual(['asOf', 'crs', 'day0']);
    const crs = view.exposure.spans;
    expect(crs).toEqual([expect.objectContaining({ kind: 'crs', label: 'CRS grade 2', lane: 'CRS' })]);
    expect(crs[0]!.start).toBeGreaterThan(toEpochMs('2026-03-03T14:00:00Z')!); // after day 0
    expect(crs[0]!.end).toBe(toEpochMs('2026-03-08T10:00:00Z')); // resolved: IEC-HS timing criterion
    expect(view.exposure.dayText).toBe('day 12 (day 0 2026-03-03 14:00Z)');
    expect(view.exposure.rows[0]!.cells[0]).toBe('axicabtagene ciloleucel (screened trigger)');
  });

  it('every framework as a table; values with units, times, thresholds, ranges and their sources', () => {
    expect(view.tables.map((t) => t.id)).toEqual(['astct', 'hlh2004', 'hscore', 'ohi']);
    const hlh = view.tables.find((t) => t.id === 'hlh2004')!;
    expect(hlh.title).toBe('HLH-2004: 4 met, 4 unknown of 8 (5 needed)');
    const ferritin = hlh.rows.find((r) => r.cells[0]!.startsWith('Ferritin'))!;
    expect(ferritin.cells).toEqual(['Ferritin', 'met', '24,500 ng/mL', '≥ 500 ng/mL', '2026-03-15 08:00Z', '30–400 ng/mL (lab)', expect.stringContaining('HLH-2004')]);
    expect(view.tables.find((t) => t.id === 'hscore')!.title).toMatch(/^HScore: 210–301 of 337 \(cut-off 169\)/);
    expect(view.citations.length).toBeGreaterThan(2);
  });

  it('missing and stale tests as the card plans them', () => {
    expect(view.missing[0]).toMatch(/^No result: Bilirubin, total; .*Creatinine/);
    expect(view.missing.some((m) => m.startsWith('Not visible to the screen'))).toBe(true);
  });

  it("the card's app context: same digest → says so; other digest or versions → says what differs", () => {
    const ctx = parseAppContext(buildAppContext(assessment, 'critical', config.cards.contentVersion))!;
    expect(run('iec-hs-axicel', { mode: 'ehr', appContext: ctx }).view.provenance.notices).toEqual([{ kind: 'ok', text: expect.stringContaining(ctx.digest) }]);
    const changed = run('iec-hs-axicel', { mode: 'ehr', appContext: { ...ctx, digest: '0000000000000000', knowledgeVersion: '2025.1.0' } }).view.provenance.notices;
    expect(changed.map((n) => n.kind)).toEqual(['warn', 'warn']);
    expect(changed[0]!.text).toContain('2025.1.0');
    expect(run('iec-hs-axicel', { mode: 'ehr' }).view.provenance.notices[0]!.text).toMatch(/passed no card context/);
    expect(view.provenance.rows).toEqual(expect.arrayContaining([['Knowledge version', defaultKnowledge.version], ['Card content version', config.cards.contentVersion]]));
  });
});

describe('other patients', () => {
  it('checkpoint inhibitor started months ago: the charts start at the data, not 30 days back; the code shown as RxNorm', () => {
    const { view } = run('ici-hlh-pembrolizumab');
    const [start] = chart(view, 'ferritin').domain;
    expect(toEpochMs(AS_OF)! - start).toBeLessThan(9 * 24 * HOUR_MS);
    expect(chart(view, 'ferritin').day0).toBeUndefined();
    expect(view.exposure.rows[0]!.cells[5]).toMatch(/^code RxNorm \d+$/);
  });
  it('no trigger: no card, said plainly; the charts still show the data', () => {
    const { view } = run('no-exposure');
    expect(view.indicator).toBeUndefined();
    expect(view.noCard).toBe('No card: no trigger therapy found');
    expect(view.exposure.empty).toBe('No trigger therapy was found in the data.');
  });
  it('query problems reach the data issues', () => {
    const { view } = run('iec-hs-axicel', { issues: [{ severity: 'warning', code: 'query-failed', params: { key: 'procedures', reason: 'HTTP 500' } }] });
    expect(view.dataIssues[0]).toEqual({ severity: 'warning', text: 'query-failed — The FHIR server could not provide "procedures" (HTTP 500); that data was not evaluated.' });
  });
});
