import { cardsResponseSchema, ownCardSchema, type Card } from '../../src/hooks/response';
import { loadCardContent } from '../../src/render/content';
import { renderCards } from '../../src/render/cards';
import { EXTENSION_KEY, assessmentExtensionSchema } from '../../src/render/extension';
import { AS_OF, assessment, exposure, ferritinItem, item, seqIds } from './fixtures';
import { decideIndicator } from '../../src/render/indicator';

const content = loadCardContent();
const ctx: { patientId: string; encounterId: string; detail?: 'brief' | 'full' } = { patientId: 'p1', encounterId: 'e1' };
/** The full detail (CARD_DETAIL=full): every criteria table in the card. */
const full = { ...ctx, detail: 'full' as const };

function render(a: ReturnType<typeof assessment>, c = ctx): Card[] {
  const cards = renderCards(a, c, content, seqIds());
  for (const card of cards) expect(() => ownCardSchema.parse(card)).not.toThrow();
  expect(() => cardsResponseSchema.parse({ cards })).not.toThrow();
  return cards;
}

function one(a: ReturnType<typeof assessment>, c: Parameters<typeof render>[1] = ctx): Card {
  const cards = render(a, c);
  expect(cards).toHaveLength(1);
  return cards[0]!;
}

type SR = { resourceType: string; status: string; intent: string; priority: string; code: { coding?: { system: string; code: string }[]; text: string }; subject: { reference: string }; encounter?: { reference: string } };
function orders(card: Card): SR[] {
  const rec = card.suggestions?.find((s) => s.isRecommended);
  return (rec?.actions ?? []).map((a) => a.resource as unknown as SR);
}
const FIVE_MET = { fever: 'met', cytopenias: 'met', 'triglycerides-fibrinogen': 'met', ferritin: 'met', scd25: 'met' } as const;

describe('indicator rules', () => {
  it('no exposure → no card', () => {
    expect(render(assessment({ cls: 'none', hlh: FIVE_MET, hscore: 250 }))).toEqual([]);
  });
  it('exposure outside its window → no card', () => {
    expect(render(assessment({ exposure: { inWindow: false, windowReason: 'after-window' }, hlh: FIVE_MET }))).toEqual([]);
  });
  it('IEC suggestive → warning', () => {
    expect(one(assessment({ iec: 'suggestive' })).indicator).toBe('warning');
  });
  it('IEC suggestive + HLH-2004 ≥ 5 → critical; + HScore ≥ 169 → critical', () => {
    expect(one(assessment({ iec: 'suggestive', hlh: FIVE_MET })).indicator).toBe('critical');
    expect(one(assessment({ iec: 'suggestive', hscore: 169 })).indicator).toBe('critical');
    expect(one(assessment({ iec: 'suggestive', hscore: 168 })).indicator).toBe('warning');
  });
  it('IEC watch (ferritin only) → info', () => {
    expect(one(assessment({ iec: 'watch', fibrinogen: 300 })).indicator).toBe('info');
  });
  it('IEC not-met and weak → no card', () => {
    expect(render(assessment({ iec: 'not-met', ferritin: 300, hlh: {} }))).toEqual([]);
  });
  it('drug: HLH-2004 ≥ 5 or HScore ≥ 169 → critical', () => {
    expect(one(assessment({ cls: 'checkpoint-inhibitor', agent: 'pembrolizumab', hlh: FIVE_MET })).indicator).toBe('critical');
    expect(one(assessment({ cls: 'checkpoint-inhibitor', agent: 'pembrolizumab', hscore: 200 })).indicator).toBe('critical');
  });
  it('drug: ferritin ≥ 500 with ≥ 2 further met → warning; with 1 further → no card', () => {
    const two = assessment({ cls: 'btk-inhibitor', agent: 'ibrutinib', hlh: { ferritin: ferritinItem(500), fever: 'met', cytopenias: 'met' } });
    expect(one(two).indicator).toBe('warning');
    const oneFurther = assessment({ cls: 'btk-inhibitor', agent: 'ibrutinib', hlh: { ferritin: ferritinItem(9000), fever: 'met' } });
    expect(render(oneFurther)).toEqual([]);
    const lowFerritin = assessment({ cls: 'btk-inhibitor', agent: 'ibrutinib', hlh: { ferritin: ferritinItem(499), fever: 'met', cytopenias: 'met', splenomegaly: 'met' } });
    expect(render(lowFerritin)).toEqual([]);
  });
  it('drug: isolated hyperferritinemia → no card', () => {
    expect(render(assessment({ cls: 'checkpoint-inhibitor', agent: 'nivolumab', ferritin: 60000 }))).toEqual([]);
  });
  it('isolated hyperferritinemia is capped at info even if a site rule says more', () => {
    const a = assessment({ iec: 'suggestive', fibrinogen: 300 });
    // suggestive but only ferritin actually met among features (inconsistent engine output) → capped
    a.iecHs!.features = a.iecHs!.features.map((f) => (f.id === 'ferritin' ? f : { ...f, state: f.state === 'met' ? 'not-met' : f.state, components: [] }));
    const d = decideIndicator(a)!;
    expect(d.indicator).toBe('info');
    expect(d.rule).toBe('iec.warning+capped');
  });
});

describe('card content', () => {
  it('summary names syndrome, day, agent and the telling values', () => {
    const card = one(assessment({ iec: 'suggestive' }));
    expect(card.summary).toBe('Possible IEC-HS, day 12 after axi-cel: ferritin 24,500 ng/mL (61× ULN), fibrinogen 110 mg/dL, platelets 42 ×10⁹/L');
    expect(card.summary.length).toBeLessThan(140);
  });
  it('critical summary states the signal', () => {
    const card = one(assessment({ iec: 'suggestive', hlh: { ...FIVE_MET, ferritin: ferritinItem(24500) } }));
    expect(card.summary.startsWith('Possible IEC-HS (HLH-2004 5/8), day 12 after axi-cel: ferritin 24,500 ng/mL')).toBe(true);
  });
  it('full detail has the criteria table, counts, HScore range, trend, provenance and the disclaimer; sources only as links', () => {
    const card = one(assessment({ iec: 'suggestive', hscore: 120, hscoreMax: 250, overrides: ['criteria.ferritinDefaultUln.value'] }), full);
    const d = card.detail!;
    expect(d).toContain('Screening support, not a diagnosis');
    expect(d).toContain('| Criterion | State | Value | Threshold | Time | Reference range (source) |');
    // the label is the content's template (cards/wording.json items), filled with the knowledge value in force
    expect(d).toContain('| Hypofibrinogenemia \\(&lt; 150 mg/dL or &lt; LLN\\) | **met** | 110 mg/dL | &lt; 150 mg/dL [reproduced] | 2024-05-13 06:00Z | 180–400 mg/dL (fallback, adult) |');
    expect(d).toContain('HLH-2004: 1 met, 7 unknown of 8');
    expect(d).toContain('HScore: 120–250 of 337');
    expect(d).toContain('per Fardet 2014 table');
    expect(d).toContain('3,200 → 24,500 ng/mL');
    expect(d).toContain('site-configured values in force: criteria.ferritinDefaultUln.value');
    // sources are the card's links, not repeated in the detail
    expect(d).not.toContain('#### Sources');
    expect(d).not.toContain('https://doi.org/');
    expect(card.links!.map((l) => l.url)).toContain('https://doi.org/10.1016/j.jtct.2023.03.006');
    expect(d).toContain('default ULN [design]');
  });
  it('source, topic, override reasons and absolute links', () => {
    const card = one(assessment());
    expect(card.source).toEqual({
      label: 'HLH Sentinel · ASTCT 2023 IEC-HS screen',
      url: 'https://doi.org/10.1016/j.jtct.2023.03.006',
      topic: { system: 'urn:hlh-sentinel:card-topic', code: 'iec-hs-screen', display: 'IEC-HS screen' },
    });
    expect(card.overrideReasons!.map((r) => r.code)).toEqual(
      expect.arrayContaining(['already-under-evaluation', 'alternative-explanation', 'not-clinically-relevant-now']),
    );
    for (const r of card.overrideReasons!) expect(r.system).toBe('urn:hlh-sentinel:override-reason');
    expect(card.links!.every((l) => l.type === 'absolute' && l.url.startsWith('https://'))).toBe(true);
    expect(card.links!.map((l) => l.url)).toContain('https://doi.org/10.1002/pbc.21039');
  });
  it('every card and suggestion has a distinct uuid; selectionBehavior any', () => {
    const card = one(assessment());
    const uuids = [card.uuid, ...card.suggestions!.map((s) => s.uuid)];
    expect(new Set(uuids).size).toBe(uuids.length);
    expect(card.selectionBehavior).toBe('any');
  });
  it('uses crypto.randomUUID by default', () => {
    const [card] = renderCards(assessment(), ctx, content);
    expect(() => ownCardSchema.parse(card)).not.toThrow();
  });
  it('no empty optional fields anywhere', () => {
    const card = one(assessment());
    const walk = (v: unknown, p: string) => {
      if (v === null || v === '' ) throw new Error(`empty at ${p}`);
      if (Array.isArray(v)) {
        if (v.length === 0) throw new Error(`empty array at ${p}`);
        v.forEach((x, i) => walk(x, `${p}[${i}]`));
      } else if (typeof v === 'object' && v !== undefined) {
        const keys = Object.keys(v as object);
        if (keys.length === 0) throw new Error(`empty object at ${p}`);
        for (const k of keys) {
          if ((v as Record<string, unknown>)[k] === undefined) throw new Error(`undefined at ${p}.${k}`);
          // the extension may legitimately hold empty lists (e.g. missing: [])
          if (p.includes(EXTENSION_KEY)) continue;
          walk((v as Record<string, unknown>)[k], `${p}.${k}`);
        }
      }
    };
    walk(card, 'card');
  });
});

describe('work-up suggestions', () => {
  const fresh = '2024-05-13T06:00:00Z';
  it('orders only missing or stale items, as draft/proposal/urgent ServiceRequests for the patient and encounter', () => {
    const card = one(assessment({ lastSeen: { ferritin: fresh, fibrinogen: '2024-05-11T08:00:00Z', platelets: fresh, hemoglobin: fresh, anc: fresh, wbc: fresh } }));
    const o = orders(card);
    const codes = o.map((s) => s.code.coding?.[0]?.code ?? s.code.text);
    expect(codes).not.toContain('2276-4'); // fresh ferritin (2 h old) → not ordered
    expect(codes).toContain('3255-7'); // fibrinogen 48 h old > 24 h → ordered
    expect(codes).not.toContain('CBC with differential'); // all four lineages fresh
    expect(codes).toContain('Soluble IL-2 receptor (sCD25), in U/mL'); // never measured, text only
    for (const s of o) {
      expect(s).toMatchObject({ resourceType: 'ServiceRequest', status: 'draft', intent: 'proposal', priority: 'urgent', subject: { reference: 'Patient/p1' }, encounter: { reference: 'Encounter/e1' } });
    }
    const rec = card.suggestions!.find((s) => s.isRecommended)!;
    expect(rec.label).toBe(`Order HLH work-up (${o.length} tests)`);
    const fib = rec.actions!.find((a) => (a.resource as unknown as SR).code.coding?.[0]?.code === '3255-7')!;
    expect(fib.description).toBe('Order Fibrinogen (last result 2 d old)');
  });
  it('stale ferritin is ordered, LOINC-coded', () => {
    const card = one(assessment({ lastSeen: { ferritin: '2024-05-11T08:00:00Z' } }));
    const f = orders(card).find((s) => s.code.coding?.[0]?.code === '2276-4');
    expect(f?.code.coding).toEqual([{ system: 'http://loinc.org', code: '2276-4' }]);
  });
  it('a value after asOf does not count as fresh', () => {
    const card = one(assessment({ lastSeen: { ferritin: '2024-05-14T08:00:00Z' } }));
    expect(orders(card).some((s) => s.code.coding?.[0]?.code === '2276-4')).toBe(true);
  });
  it('no encounter → no encounter reference', () => {
    const [card] = renderCards(assessment(), { patientId: 'p9' }, content, seqIds());
    for (const s of orders(card!)) {
      expect(s.encounter).toBeUndefined();
      expect(s.subject.reference).toBe('Patient/p9');
    }
  });
  it('everything fresh → no recommended suggestion; optional infection screen stays separate', () => {
    const all = Object.fromEntries(
      ['ferritin', 'alt', 'ast', 'platelets', 'hemoglobin', 'anc', 'wbc', 'fibrinogen', 'triglycerides', 'ldh', 'bilirubin-total', 'bilirubin-direct', 'scd25', 'crp', 'il6', 'pt', 'inr', 'aptt', 'd-dimer', 'creatinine'].map((k) => [k, AS_OF]),
    );
    const card = one(assessment({ lastSeen: all }));
    expect(card.suggestions!.some((s) => s.isRecommended)).toBe(false);
    expect(card.suggestions!.map((s) => s.label)).toEqual(
      expect.arrayContaining(['Order Blood cultures (if not already done)', 'Order EBV PCR (blood) (if not already done)']),
    );
  });
  it('IL-6 is only part of the IEC work-up; DRESS advice only for lamotrigine', () => {
    const drug = one(assessment({ cls: 'checkpoint-inhibitor', agent: 'pembrolizumab', hlh: FIVE_MET }));
    expect(orders(drug).some((s) => s.code.coding?.[0]?.code === '26881-3')).toBe(false);
    expect(drug.detail).not.toContain('DRESS');
    const iec = one(assessment());
    expect(orders(iec).some((s) => s.code.coding?.[0]?.code === '26881-3')).toBe(true);
  });
});

describe('lamotrigine', () => {
  const a = () => assessment({ cls: 'lamotrigine', agent: 'lamotrigine', hlh: FIVE_MET, exposure: { daysSince: 20 } });
  it('offers a review-stopping suggestion with no automatic action, and cites the FDA 2018 advice', () => {
    const card = one(a(), full);
    const s = card.suggestions!.find((x) => x.label.includes('lamotrigine'))!;
    expect(s.label).toBe('Review stopping lamotrigine (FDA 2018 advice)');
    expect(s.actions).toBeUndefined();
    expect(card.suggestions!.every((x) => (x.actions ?? []).every((act) => act.type === 'create' && (act.resource as { resourceType?: string }).resourceType === 'ServiceRequest'))).toBe(true);
    expect(card.detail).toContain('FDA Drug Safety Communication, 25 Apr 2018');
    expect(card.detail).toContain('DRESS');
    expect(card.summary).toMatch(/^Possible treatment-related HLH \(HLH-2004 5\/8\), day 20 after lamotrigine/);
  });
});

describe('extension', () => {
  it('validates against its schema and carries the contract fields', () => {
    const card = one(assessment({ lastSeen: { ferritin: '2024-05-13T06:00:00Z' } }));
    const ext = assessmentExtensionSchema.parse(card.extension![EXTENSION_KEY]);
    expect(ext).toMatchObject({
      version: '1.1.0', // 1.1: additive exposure fields (agents[], lastDose, …) and alternatives[]
      asOf: AS_OF,
      syndrome: 'iec-hs',
      indicator: 'warning',
      exposure: {
        class: 'car-t',
        agent: 'axicabtagene ciloleucel',
        daysSince: 12,
        matchedBy: 'code',
        agents: [{ agent: 'axicabtagene ciloleucel', class: 'car-t', role: 'primary', daysSince: 12, matchedBy: 'code' }],
      },
      criteria: { 'astct-iec-hs': { status: 'suggestive' }, 'hlh-2004': { met: 1, unknown: 7, total: 8 }, hscore: { score: 120, maxPossible: 250 }, ohi: { state: 'unknown' } },
    });
    expect(ext.criteria['hlh-2004'].items.map((i) => i.id)).toEqual(['fever', 'splenomegaly', 'cytopenias', 'triglycerides-fibrinogen', 'hemophagocytosis', 'nk-activity', 'ferritin', 'scd25']);
    expect(ext.missingWorkup.find((m) => m.id === 'ferritin')).toBeUndefined();
    expect(ext.missingWorkup.find((m) => m.id === 'scd25')).toEqual({ id: 'scd25', reason: 'missing' });
    expect(JSON.stringify(ext).length).toBeLessThan(4000);
  });
  it('drug cards have no astct block', () => {
    const card = one(assessment({ cls: 'checkpoint-inhibitor', agent: 'pembrolizumab', hlh: FIVE_MET }));
    const ext = assessmentExtensionSchema.parse(card.extension![EXTENSION_KEY]);
    expect(ext.criteria['astct-iec-hs']).toBeUndefined();
    expect(ext.syndrome).toBe('treatment-related-hlh');
  });
  it('rejects unknown states and wrong item counts', () => {
    const card = one(assessment());
    const ext = JSON.parse(JSON.stringify(card.extension![EXTENSION_KEY]));
    ext.criteria['hlh-2004'].items[0].state = 'maybe';
    expect(assessmentExtensionSchema.safeParse(ext).success).toBe(false);
  });
});

describe('exposure without a date', () => {
  it('says "after agent" and omits the day', () => {
    const card = one(assessment({ exposure: { daysSince: undefined, day0: undefined, start: undefined } }));
    expect(card.summary.startsWith('Possible IEC-HS, after axi-cel:')).toBe(true);
  });
  it('agents without a short name keep their generic name', () => {
    const a = assessment({ cls: 't-cell-engager', agent: 'teclistamab' });
    a.exposure.all = [exposure('t-cell-engager', 'teclistamab')];
    expect(one(a).summary.startsWith('Possible IEC-HS, day 12 after teclistamab')).toBe(true);
    void item;
  });
});
