/** GET /cds-services (cds-hooks-conformance.md, "Discovery"). */
import request from 'supertest';
import { buildTestApp } from '../support/app';
import { discoveryResponseSchema } from '../../src/hooks/discovery';
import { QUERIES, buildPrefetchTemplates, fillTemplate } from '../../src/fhir/queries';

const ALLOWED_TOKENS = /\{\{\s*(context\.(patientId|userId|encounterId)|user(Practitioner|PractitionerRole|Patient|RelatedPerson)Id)\s*\}\}/g;

describe('discovery', () => {
  const { app } = buildTestApp();

  it('lists hlh-screen on patient-view with the required and recommended fields', async () => {
    const res = await request(app).get('/cds-services');
    expect(res.status).toBe(200);
    expect(discoveryResponseSchema.safeParse(res.body).error).toBeUndefined();
    expect(res.body.services).toHaveLength(1);
    const s = res.body.services[0];
    expect(s).toMatchObject({ hook: 'patient-view', id: 'hlh-screen', hookVersion: '1.0' });
    for (const field of ['title', 'description', 'usageRequirements']) expect(s[field]).toEqual(expect.any(String));
    expect(Object.keys(s.prefetch).sort()).toEqual(Object.keys(s.prefetch).sort());
  });

  it('has no empty optional fields', async () => {
    const res = await request(app).get('/cds-services');
    const walk = (v: unknown): void => {
      if (v === null || v === '') throw new Error('empty value');
      if (Array.isArray(v)) {
        expect(v.length).toBeGreaterThan(0);
        v.forEach(walk);
      } else if (typeof v === 'object') {
        expect(Object.keys(v as object).length).toBeGreaterThan(0);
        Object.values(v as object).forEach(walk);
      }
    };
    walk(res.body);
  });

  it('every prefetch template stays inside the CDS Hooks 2.0 query subset', async () => {
    const res = await request(app).get('/cds-services');
    const templates: Record<string, string> = res.body.services[0].prefetch;
    for (const [key, t] of Object.entries(templates)) {
      const withoutTokens = t.replace(ALLOWED_TOKENS, 'X');
      expect(withoutTokens).not.toMatch(/\{\{|\}\}/); // no other tokens (2.0 has no date tokens)
      const [path, query] = withoutTokens.split('?');
      if (query === undefined) {
        expect(path).toMatch(/^[A-Z][A-Za-z]+\/X$/); // instance read
        continue;
      }
      expect(path).toMatch(/^[A-Z][A-Za-z]+$/); // type search
      for (const param of query.split('&')) {
        const [name, value] = param.split('=');
        // combo-code is a token parameter too (Observation.code | component.code): token equality is in the subset
        expect({ key, name }).toEqual({ key, name: expect.stringMatching(/^(patient|code|combo-code|_count|_sort)$/) });
        if (name === 'patient') expect(value).toBe('Patient/X');
        if (name === '_count') expect(Number(value)).toBeGreaterThan(0);
        if (name === '_sort') expect(value).toBe('-date');
        if (name === 'code' || name === 'combo-code') for (const token of value!.split(',')) expect(token).toMatch(/^[^|,]+\|[^|,]+$/);
      }
    }
  });

  it('templates are generated from the one query list (every key comes from QUERIES)', async () => {
    const res = await request(app).get('/cds-services');
    const keys = new Set(QUERIES.map((q) => q.key));
    for (const k of Object.keys(res.body.services[0].prefetch)) expect(keys.has(k)).toBe(true);
    expect(res.body.services[0].prefetch.patient).toBe('Patient/{{context.patientId}}');
  });

  it('the blood count searches component codes too (combo-code), the other Observation keys their code', async () => {
    const res = await request(app).get('/cds-services');
    const p: Record<string, string> = res.body.services[0].prefetch;
    expect(p.labsBloodCount).toMatch(/^Observation\?patient=Patient\/\{\{context\.patientId\}\}&combo-code=http:\/\/loinc\.org\|777-3,/);
    expect(p.labsChemistry).toMatch(/&code=http:\/\/loinc\.org\|2276-4,/);
  });

  it('an analyte group whose code list is empty emits no template (never `code=`)', () => {
    const t = buildPrefetchTemplates({ analyteTokens: () => [], findingTokens: () => [], observationCount: 5, searchCount: 5 });
    expect(Object.values(t).some((v) => v.includes('code='))).toBe(false);
    expect(t.patient).toBeDefined();
  });

  it('fillTemplate substitutes and escapes context tokens', () => {
    expect(fillTemplate('Observation?patient=Patient/{{context.patientId}}&_count=5', { patientId: 'a b', userId: 'u' })).toBe(
      'Observation?patient=Patient/a%20b&_count=5',
    );
  });
});
