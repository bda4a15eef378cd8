/**
 * Finding code ranges (knowledge `findings.codeRanges`, [design] default infection list):
 * every boundary of the shipped ranges, ICD-10 with and without the dot, the exclusions (B20 stays HScore
 * immunosuppression; B90–B94 are sequelae), and the schema's validation of a site's ranges.
 */
import { defaultKnowledge, knowledgeSchema } from '../../src/knowledge';
import { applyKnowledgeOverride, KnowledgeError } from '../../src/knowledge/load';
import { createTimelineBuilder } from '../../src/timeline';
import { ICD, patient, SNOMED } from './fixtures';

const build = createTimelineBuilder(defaultKnowledge);
const kindsOf = (system: string, code: string, text?: string) =>
  build(
    [
      patient,
      {
        resourceType: 'Condition',
        id: 'c1',
        subject: { reference: 'Patient/p1' },
        clinicalStatus: { coding: [{ code: 'active' }] },
        code: { coding: [{ system, code }], ...(text ? { text } : {}) },
        onsetDateTime: '2026-03-10',
      },
    ],
    { patientId: 'p1' },
  ).findings.map((f) => `${f.kind}${f.detail ? `/${f.detail}` : ''}`);

describe('ICD-10-CM infection ranges', () => {
  it.each([
    // chapter I, A00–B99, by prefix
    ['A00', ['infection']],
    ['A00.0', ['infection']],
    ['A41.51', ['infection']],
    ['a4151', ['infection']],
    ['B27.00', ['infection']],
    ['B99.9', ['infection']],
    ['B20', ['immunosuppression/hiv']], // HIV: HScore immunosuppression only
    ['B90.9', []], // sequelae of tuberculosis: not active
    ['B94.8', []],
    ['B95.2', ['infection']], // agent codes (used with the infection they name)
    ['C00', []],
    ['Z21', ['immunosuppression/hiv']],
    // J12–J18 pneumonia
    ['J11.1', []],
    ['J12.82', ['infection/pneumonia']],
    ['J18.9', ['infection/pneumonia']],
    ['J19', []],
    // exact codes
    ['R78.81', ['infection/bacteremia']],
    ['R78.8', []],
    ['R65.20', ['infection/severe-sepsis']],
    ['R65.21', ['infection/severe-sepsis']],
    ['R65.2', []],
    ['R65.22', []],
    ['U07.1', ['infection/covid-19']],
  ])('%s → %j', (code, kinds) => {
    expect(kindsOf(ICD, code)).toEqual(kinds);
  });

  it('SNOMED CT: only the confirmed exact codes (no hierarchy is read)', () => {
    expect(kindsOf(SNOMED, '40733004')).toEqual(['infection']);
    expect(kindsOf(SNOMED, '91302008')).toEqual(['infection/sepsis']);
    expect(kindsOf(SNOMED, '233604007')).toEqual(['infection/pneumonia']);
    expect(kindsOf(SNOMED, '840539006')).toEqual(['infection/covid-19']);
    expect(kindsOf(SNOMED, '5758002')).toEqual([]); // bacteremia: not confirmed from a citable source, not shipped
  });

  it('keeps the condition text for the card', () => {
    const t = build([patient, { resourceType: 'Condition', id: 'c2', subject: { reference: 'Patient/p1' }, code: { coding: [{ system: ICD, code: 'A41.9' }], text: 'Sepsis, unspecified organism' } }], { patientId: 'p1' });
    expect(t.findings[0]).toMatchObject({ kind: 'infection', text: 'Sepsis, unspecified organism', code: { system: ICD, code: 'A41.9' } });
  });
});

describe('site ranges are validated', () => {
  it('a site adds a range (e.g. its own codes), and a reversed range stops start-up naming the key', () => {
    const k = applyKnowledgeOverride({
      findings: { codeRanges: [...defaultKnowledge.findings.codeRanges, { system: 'urn:local', from: 'PD100', to: 'PD199', kinds: ['disease-progression'] }] },
    });
    expect(knowledgeSchema.safeParse(k).success).toBe(true);
    expect(createTimelineBuilder(k)([patient, { resourceType: 'Condition', id: 'x', subject: { reference: 'Patient/p1' }, code: { coding: [{ system: 'urn:local', code: 'PD150' }] } }], { patientId: 'p1' }).findings[0]?.kind).toBe('disease-progression');
    expect(() => applyKnowledgeOverride({ findings: { codeRanges: [{ system: ICD, from: 'B99', to: 'A00', kinds: ['infection'] }] } })).toThrow(KnowledgeError);
    expect(() => applyKnowledgeOverride({ findings: { codeRanges: [{ system: ICD, from: 'B99', to: 'A00', kinds: ['infection'] }] } })).toThrow(/findings\.codeRanges\[0\]\.to: `from` must not sort after `to`/);
  });
});
