/**
 * Infections and other alternative explanations end to end, in both EHR data paths: active infections coded in the
 * default list ([design]: ICD-10-CM A00–B99 except B20 and B90–B94, R78.81, R65.20–R65.21, J12–J18, U07.1, and
 * confirmed SNOMED CT codes) within the finding lookback are listed on the card with code and date, with a line
 * saying they never lower the indicator; disease progression is listed when a site codes it.
 */
import { defaultKnowledge } from '../../src/knowledge';
import { startBothPaths, type BothPaths } from '../support/both-paths';
import { clinical, coded, ehr, ICD10CM } from '../support/ehr-resources';

let h: BothPaths;
beforeAll(async () => {
  h = await startBothPaths();
});
afterAll(async () => h?.close());

const SNOMED = 'http://snomed.info/sct';
const plain = (s: string | undefined) => (s ?? '').replace(/\\/g, '');

it('lists active infections with code and date, never lowers the indicator, and lists site-coded progression', async () => {
  const p = ehr('inf-card');
  const base = [p.patient(), p.administration('pembro', coded('1547545'), '2026-02-20T10:00:00Z'), ...p.hlhLabs('2026-03-14T08:00:00Z')];
  const conditions = [
    p.condition('sepsis', ICD10CM, 'A41.51', { ...clinical('active'), code: { coding: [{ system: ICD10CM, code: 'A41.51' }], text: 'Sepsis due to E. coli' }, onsetDateTime: '2026-03-13' }),
    p.condition('shock', ICD10CM, 'R65.21', { recordedDate: '2026-03-12T06:00:00Z' }), // no clinicalStatus: shown
    p.condition('covid', SNOMED, '840539006', { ...clinical('active'), onsetDateTime: '2026-03-10' }),
    p.condition('hiv', ICD10CM, 'B20', { ...clinical('active'), onsetDateTime: '2019-05-01' }), // HScore immunosuppression, not an infection
    p.condition('pneumonia', ICD10CM, 'J18.9', { ...clinical('resolved'), onsetDateTime: '2026-03-01' }),
    p.condition('ebv', ICD10CM, 'B27.00', { ...clinical('active'), onsetDateTime: '2025-10-01' }), // before the 90-day lookback
    p.condition('refuted', ICD10CM, 'U07.1', { ...clinical('active'), verificationStatus: { coding: [{ code: 'refuted' }] }, onsetDateTime: '2026-03-11' }),
    p.condition('pd', 'urn:example:oncology', 'PD', { ...clinical('active'), code: { coding: [{ system: 'urn:example:oncology', code: 'PD' }], text: 'DLBCL progression' }, onsetDateTime: '2026-03-09' }),
  ];
  // a site codes progression (no default); arrays replace, so the shipped codes are repeated
  const knowledge = { findings: { codes: [...defaultKnowledge.findings.codes, { system: 'urn:example:oncology', code: 'PD', kinds: ['disease-progression'] }] } };
  const { prefetch, fetch } = await h.both([...base, ...conditions], { patientId: p.pid, knowledge });
  const without = await h.prefetch(base, { patientId: p.pid, knowledge });
  for (const r of [prefetch, fetch]) {
    expect(r.card?.indicator).toBe(without.card?.indicator);
    const detail = plain(r.card?.detail);
    expect(detail).toContain("These never lower the card's indicator");
    const lines = detail.split('\n').filter((l) => /^- Documented /.test(l));
    // in time order; what the chart says (code text, else display), else the knowledge base's label
    expect(lines).toEqual([
      `- Documented infection: COVID-19 (SNOMED CT 840539006), 2026-03-10`,
      `- Documented infection: severe sepsis (ICD-10-CM R65.21), 2026-03-12 06:00Z`,
      `- Documented infection: Sepsis due to E. coli (ICD-10-CM A41.51), 2026-03-13`,
      `- Documented disease progression: DLBCL progression (local code PD), 2026-03-09`,
    ]);
    expect(r.extension?.alternatives).toEqual([
      { kind: 'infection', system: SNOMED, code: '840539006', time: '2026-03-10' },
      { kind: 'infection', system: ICD10CM, code: 'R65.21', time: '2026-03-12T06:00:00Z' },
      { kind: 'infection', system: ICD10CM, code: 'A41.51', time: '2026-03-13' },
      { kind: 'disease-progression', system: 'urn:example:oncology', code: 'PD', time: '2026-03-09' },
    ]);
    // B20 stays HScore immunosuppression
    expect(detail).toMatch(/\| Known underlying immunosuppression \| 18 \| \*\*met\*\* \|/);
  }
});

