import { criteriaKnowledgeSchema, defaultCriteriaKnowledge } from '../../src/knowledge/criteria';
import { defaultKnowledge, knowledgeSchema } from '../../src/knowledge';

describe('criteria knowledge', () => {
  it('defaults validate against the strict schema', () => {
    expect(criteriaKnowledgeSchema.parse(defaultCriteriaKnowledge)).toEqual(defaultCriteriaKnowledge);
    expect(knowledgeSchema.parse(defaultKnowledge).criteria).toEqual(defaultCriteriaKnowledge);
  });

  it('survives a JSON round trip (a site can override it from a JSON file)', () => {
    const json = JSON.parse(JSON.stringify(defaultCriteriaKnowledge));
    expect(criteriaKnowledgeSchema.parse(json)).toEqual(defaultCriteriaKnowledge);
  });

  it('rejects unknown keys and ambiguous predicates', () => {
    const extra = { ...defaultCriteriaKnowledge, surprise: 1 };
    expect(criteriaKnowledgeSchema.safeParse(extra).success).toBe(false);
    const bad = JSON.parse(JSON.stringify(defaultCriteriaKnowledge));
    bad.hlh2004.ferritin = { unit: 'ng/mL', gt: 500, gte: 500 };
    expect(criteriaKnowledgeSchema.safeParse(bad).success).toBe(false);
    const none = JSON.parse(JSON.stringify(defaultCriteriaKnowledge));
    none.ohi.scd25 = { unit: 'U/mL' };
    expect(criteriaKnowledgeSchema.safeParse(none).success).toBe(false);
  });

  it('keeps the HLH-2004 operators exactly as Henter 2007 (criteria 1, 3, 4, 7, 8)', () => {
    const h = defaultCriteriaKnowledge.hlh2004;
    expect(h.fever).toEqual({ unit: 'Cel', gte: 38.5, status: 'confirmed', source: { id: 'henter-2007', locator: 'criterion 1' } });
    expect(h.ferritin.gte).toBe(500);
    expect(h.scd25).toMatchObject({ unit: 'U/mL', gte: 2400, status: 'confirmed', source: { id: 'henter-2007', locator: 'criterion 8' } });
    expect(h.fibrinogen.lte).toBe(150);
    expect(h.triglycerides.gte).toBe(265);
    expect(h.cytopenias.hemoglobin.lt).toBe(9.0);
    expect(h.cytopenias.platelets.lt).toBe(100);
    expect(h.cytopenias.anc.lt).toBe(1.0);
  });
});
