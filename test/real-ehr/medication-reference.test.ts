/**
 * medicationReference end to end, in both EHR data paths: a pembrolizumab order that names its drug only through
 * a Medication resource gives its card whether the Medication is read by the service (fetch mode; prefetch mode
 * with a fhirServer, since EHRs rarely prefetch Medications), contained, or known by an ingredient code. A
 * reference that cannot be resolved is a counted data issue on the card and in the log, never an error.
 */
import { startBothPaths, type BothPaths } from '../support/both-paths';
import { coded, ehr, RXNORM } from '../support/ehr-resources';

let h: BothPaths;
beforeAll(async () => {
  h = await startBothPaths();
});
afterAll(async () => h?.close());

const PEMBROLIZUMAB = '1547545'; // RxNorm ingredient [confirmed]
const isMedication = (r: Record<string, unknown>) => r.resourceType === 'Medication';
const withServer = (base: string) => ({ fhirServer: base });
/** The detail without Markdown escapes, to match sentences. */
const plain = (s: string | undefined) => (s ?? '').replace(/\\/g, '');

describe('medicationReference is resolved', () => {
  it('by an instance read of Medication/{id}: fetch mode, and prefetch mode with a fhirServer', async () => {
    const p = ehr('mr-read');
    const medication = { resourceType: 'Medication', id: `${p.pid}-pembro`, code: { coding: [{ system: RXNORM, code: PEMBROLIZUMAB }] } };
    const resources = [
      p.patient(),
      medication,
      p.request('rx', { medicationReference: { reference: `Medication/${p.pid}-pembro` } }, { dosageInstruction: [{ timing: { event: ['2026-02-20T10:00:00Z'] } }] }),
      ...p.hlhLabs('2026-03-14T08:00:00Z'),
    ];
    await h.seed(resources); // the EHR's server holds the Medication in both modes
    const opts = { patientId: p.pid, notPrefetched: isMedication, prefetchBody: withServer };
    for (const r of [await h.prefetch(resources, opts), await h.fetch(resources, opts)]) {
      expect(r.card?.indicator).toBe('critical');
      expect(r.card?.summary).toMatch(/day 23 after pembrolizumab: /);
      expect(r.extension?.exposure).toMatchObject({ agent: 'pembrolizumab', matchedBy: 'code' });
      expect(r.card?.detail).not.toContain('medication-reference-unresolved');
    }
    // one read per mode, de-duplicated
    expect(h.fhir.requests.filter((q) => q.endsWith(`/Medication/${p.pid}-pembro`))).toHaveLength(2);
  });

  it('contained (#id) and ingredient-based Medications count, code before name', async () => {
    const p = ehr('mr-contained');
    const contained = {
      resourceType: 'MedicationAdministration',
      id: `${p.pid}-adm`,
      status: 'completed',
      subject: { reference: `Patient/${p.pid}` },
      contained: [
        {
          resourceType: 'Medication',
          id: 'm1',
          code: { text: 'Study drug A (investigational)' },
          ingredient: [{ itemCodeableConcept: { coding: [{ system: RXNORM, code: PEMBROLIZUMAB }], text: 'nivolumab' } }],
        },
      ],
      medicationReference: { reference: '#m1' },
      effectiveDateTime: '2026-02-20T10:00:00Z',
    };
    const { prefetch, fetch } = await h.both([p.patient(), contained, ...p.hlhLabs('2026-03-14T08:00:00Z')], { patientId: p.pid });
    for (const r of [prefetch, fetch]) {
      // the ingredient's code wins over the name in its text
      expect(r.extension?.exposure).toMatchObject({ agent: 'pembrolizumab', matchedBy: 'code' });
    }
  });
});

describe('a reference that cannot be resolved', () => {
  it('is a counted data issue on the card and in the log (no ids, no token), never a 412', async () => {
    const p = ehr('mr-missing');
    const resources = [
      p.patient(),
      p.administration('pembro', coded(PEMBROLIZUMAB), '2026-02-20T10:00:00Z'),
      p.request('gone', { medicationReference: { reference: `Medication/${p.pid}-gone` } }, { authoredOn: '2026-03-01' }),
      p.request('other', { medicationReference: { reference: `https://other.example.org/fhir/Medication/${p.pid}-x` } }, { authoredOn: '2026-03-01' }),
      ...p.hlhLabs('2026-03-14T08:00:00Z'),
    ];
    const { prefetch, fetch } = await h.both(resources, { patientId: p.pid, prefetchBody: withServer });
    for (const r of [prefetch, fetch]) {
      expect(r.status).toBe(200);
      expect(r.card?.indicator).toBe('critical');
      expect(plain(r.card?.detail)).toMatch(
        /medication-reference-unresolved — 2 medication reference\(s\) could not be resolved to a Medication: 1 on another server \(not read\); 1 not found on the FHIR server/,
      );
      // The request's one 'hook evaluated' line carries the counts, at warning level.
      const warn = r.log.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'hook evaluated' && l.level === 40);
      expect(warn?.medications).toEqual({ read: 0, unresolved: { 'other-server': 1, 'not-found': 1 } });
      expect(r.log.join('\n')).not.toContain(`${p.pid}-gone`);
    }

    // prefetch without a fhirServer: nothing can be read, said so
    const bare = await h.prefetch(resources, { patientId: p.pid });
    expect(bare.status).toBe(200);
    expect(plain(bare.card?.detail)).toContain('2 medication reference(s) could not be resolved to a Medication: 2 not in the data and no fhirServer to read them from');
  });
});
