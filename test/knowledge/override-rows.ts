/**
 * Override rows for `criteria` and `indicator` (overrides.test.ts): one row per knowledge value, each with a patient
 * at the value's boundary. Expected values are what the card shows: its indicator, a criteria table row, the HScore.
 */
import { condition, findingObs, lab, range } from '../clinical-review/fhir';
import { alt, anc, ast, D, detailMatch, drug, ferritin, fib, H, hb, iec, indicator, plt, pointsOf, rowOf, scd25, stateOf, temp, tg, wbc, type Row } from './override-support';

const ICD = 'http://hl7.org/fhir/sid/icd-10-cm';
const HLH = (label: string) => stateOf('HLH-2004', label);
const ASTCT = (label: string) => stateOf('ASTCT 2023 IEC-HS', label);
const statement = (name: string, start: string) => ({
  resourceType: 'MedicationStatement',
  id: `ms-${name.replace(/\W/g, '')}`,
  status: 'active',
  subject: { reference: 'Patient/p1' },
  medicationCodeableConcept: { text: name },
  effectivePeriod: { start },
});
/** HScore 176 (temperature 49, splenomegaly 23, 2 cytopenias 24, ferritin 50, fibrinogen 30) with HLH-2004 4 of 8. */
const hscore176 = () => drug([fib(200)], { ferritin: 6500, fever: 39.6 });
/**
 * A row whose label states a knowledge value (the label follows the value in force): "<n>: <state>" for the first
 * of `values` whose label `template` ({n}) is on the card.
 */
const labelled = (section: string, template: string, values: number[]) => (r: Parameters<typeof indicator>[0]): string => {
  for (const n of values) {
    const state = rowOf(r, section, template.replace('{n}', String(n)))[0];
    if (state !== 'no row') return `${n}: ${state}`;
  }
  return 'no row';
};
const cytopeniasRow = labelled('HLH-2004', 'Cytopenias (≥ {n} of 3 lineages)', [2, 3]);
const hscoreScore = (r: Parameters<typeof indicator>[0]) => detailMatch(/HScore: (\d+)/)(r);

export const criteriaRows: Row[] = [
  // ------------------------------------------------------------------------------------------ lookbacks
  { path: 'criteria.lookback.labHours', override: { value: 24 }, resources: () => drug([], { ferritin: null }).concat([lab('2276-4', 600, 'ng/mL', H(30))]), probe: indicator, before: 'warning', after: 'no card' },
  { path: 'criteria.lookback.temperatureHours', override: { value: 24 }, resources: () => drug([temp(39, 30)], { fever: null }), probe: HLH('Fever'), before: 'met', after: 'unknown (no data)' },
  {
    path: 'criteria.lookback.findingDays',
    override: { value: 10 },
    resources: () => drug([condition(ICD, 'R16.1', { onsetDateTime: D(15) })], { spleen: false }),
    probe: HLH('Splenomegaly'),
    before: 'met',
    after: 'unknown (no data)',
  },
  { path: 'criteria.ferritinDefaultUln', override: { value: 250 }, resources: () => iec([lab('2276-4', 700, 'ng/mL', H(6))], { ferritin: null }), probe: indicator, before: 'no card', after: 'warning' },
  // ------------------------------------------------------------------------------------------ ASTCT IEC-HS
  { path: 'criteria.iecHs.baselineDays', override: { value: 1 }, resources: () => iec([ferritin(300, 24 * 14), ferritin(700)], { ferritin: null }), probe: indicator, before: 'warning', after: 'no card' },
  { path: 'criteria.iecHs.missingBaseline', override: { value: 'unknown' }, resources: () => iec([alt(200)]), probe: ASTCT('↳ ALT'), before: 'met', after: 'unknown (no baseline)' },
  { path: 'criteria.iecHs.ferritin.ulnFactor', override: { value: 3 }, resources: () => iec([], { ferritin: 1000 }), probe: indicator, before: 'warning', after: 'no card' },
  { path: 'criteria.iecHs.ferritin.baselineFactor', override: { value: 3 }, resources: () => iec([ferritin(300, 24 * 14), ferritin(700)], { ferritin: null }), probe: indicator, before: 'warning', after: 'no card' },
  { path: 'criteria.iecHs.rapidRise.factor', override: { value: 3 }, resources: () => iec([ferritin(300, 30), ferritin(700)], { ferritin: null }), probe: indicator, before: 'warning', after: 'no card' },
  { path: 'criteria.iecHs.rapidRise.withinHours', override: { value: 12 }, resources: () => iec([ferritin(300, 30), ferritin(700)], { ferritin: null }), probe: indicator, before: 'warning', after: 'no card' },
  { path: 'criteria.iecHs.rapidRise.requireAboveUln', override: { value: false }, resources: () => iec([ferritin(150, 30), ferritin(350)], { ferritin: null }), probe: indicator, before: 'no card', after: 'warning' },
  {
    path: 'criteria.iecHs.transaminases.ulnFactor',
    override: { value: 10 },
    resources: () => iec([alt(200)]),
    // the label is the content's template filled with the value in force
    probe: (r) => [ASTCT('↳ ALT')(r), detailMatch(/Transaminases \(ALT or AST\) > (\d+) × ULN/)(r)],
    before: ['met', '5'],
    after: ['not met', '10'],
  },
  { path: 'criteria.iecHs.transaminases.baselineFactor', override: { value: 10 }, resources: () => iec([alt(100, 24 * 14), alt(600)]), probe: ASTCT('↳ ALT'), before: 'met', after: 'not met' },
  {
    path: 'criteria.iecHs.fibrinogen.absolute',
    override: { lt: 100, alt: [{ unit: 'g/L', lt: 1.0 }] },
    resources: () => iec([fib(120, 6, range(100, 400, 'mg/dL')), alt(300)], { fib: null }),
    probe: labelled('ASTCT 2023 IEC-HS', 'Hypofibrinogenemia (< {n} mg/dL or < LLN)', [150, 100]),
    before: '150: met',
    after: '100: not met',
  },
  { path: 'criteria.iecHs.fibrinogen.belowLln', override: { value: false }, resources: () => iec([fib(160, 6, range(200, 400, 'mg/dL')), alt(300)], { fib: null }), probe: labelled('ASTCT 2023 IEC-HS', 'Hypofibrinogenemia (< {n} mg/dL or < LLN)', [150]), before: '150: met', after: '150: not met' },
  { path: 'criteria.iecHs.cytopenia.hemoglobin', override: { lt: 8, alt: [{ unit: 'g/L', lt: 80 }] }, resources: () => iec([hb(8.5)]), probe: ASTCT('↳ Hemoglobin'), before: 'met', after: 'not met' },
  { path: 'criteria.iecHs.cytopenia.platelets', override: { lt: 50, alt: [{ unit: '10*3/uL', lt: 50 }] }, resources: () => iec([plt(80)]), probe: ASTCT('↳ Platelets'), before: 'met', after: 'not met' },
  { path: 'criteria.iecHs.cytopenia.anc', override: { lt: 0.5, alt: [{ unit: '10*3/uL', lt: 0.5 }] }, resources: () => iec([anc(0.8)]), probe: ASTCT('↳ Neutrophils (absolute)'), before: 'met', after: 'not met' },
  { path: 'criteria.iecHs.fever', override: { gte: 39 }, resources: () => iec([temp(38.7)]), probe: ASTCT('Fever (new or persistent)'), before: 'met', after: 'not met' },
  { path: 'criteria.iecHs.triglycerides', override: { gt: 300, alt: [{ unit: 'mmol/L', gt: 3.4 }] }, resources: () => iec([tg(280)]), probe: labelled('ASTCT 2023 IEC-HS', 'Hypertriglyceridemia (fasting > {n} mg/dL)', [265, 300]), before: '265: not assessable', after: '300: not met' },
  { path: 'criteria.iecHs.aboveUlnFactor', override: { value: 2 }, resources: () => iec([lab('2532-0', 300, 'U/L', H(6), range(100, 250, 'U/L'))]), probe: ASTCT('LDH > ULN'), before: 'met', after: 'not met' },
  { path: 'criteria.iecHs.suggestiveOtherFeatures', override: { value: 2 }, resources: () => iec(), probe: indicator, before: 'warning', after: 'info' },
  // ------------------------------------------------------------------------------------------ HLH-2004
  { path: 'criteria.hlh2004.required', override: { value: 4 }, resources: () => drug(), probe: indicator, before: 'warning', after: 'critical' },
  { path: 'criteria.hlh2004.fever', override: { gte: 39 }, resources: () => drug([], { fever: 38.7 }), probe: HLH('Fever'), before: 'met', after: 'not met' },
  { path: 'criteria.hlh2004.cytopenias.lineagesRequired', override: { value: 3 }, resources: () => drug(), probe: cytopeniasRow, before: '2: met', after: '3: unknown (lineages unknown)' },
  { path: 'criteria.hlh2004.cytopenias.hemoglobin', override: { lt: 8, alt: [{ unit: 'g/L', lt: 80 }] }, resources: () => drug([], { hb: 8.5 }), probe: HLH('↳ Hemoglobin'), before: 'met', after: 'not met' },
  { path: 'criteria.hlh2004.cytopenias.hemoglobinNeonatal', override: { lt: 9, alt: [{ unit: 'g/L', lt: 90 }] }, resources: () => drug([], { hb: 9.5, birthDate: D(10).slice(0, 10) }), probe: HLH('↳ Hemoglobin'), before: 'met', after: 'not met' },
  { path: 'criteria.hlh2004.cytopenias.neonatalMaxAgeDays', override: { value: 7 }, resources: () => drug([], { hb: 9.5, birthDate: D(10).slice(0, 10) }), probe: HLH('↳ Hemoglobin'), before: 'met', after: 'not met' },
  { path: 'criteria.hlh2004.cytopenias.platelets', override: { lt: 50, alt: [{ unit: '10*3/uL', lt: 50 }] }, resources: () => drug([anc(0.8)], { plt: 80 }), probe: HLH('↳ Platelets'), before: 'met', after: 'not met' },
  { path: 'criteria.hlh2004.cytopenias.anc', override: { lt: 0.5, alt: [{ unit: '10*3/uL', lt: 0.5 }] }, resources: () => drug([anc(0.8)]), probe: HLH('↳ Neutrophils (absolute)'), before: 'met', after: 'not met' },
  { path: 'criteria.hlh2004.triglycerides', override: { gte: 300, alt: [{ unit: 'mmol/L', gte: 3.4 }] }, resources: () => drug([tg(280)]), probe: HLH('↳ Fasting triglycerides'), before: 'unknown (fasting state unknown)', after: 'not met' },
  { path: 'criteria.hlh2004.triglyceridesFastingCodes', override: { value: ['http://loinc.org|2571-8'] }, resources: () => drug([tg(280)]), probe: HLH('↳ Fasting triglycerides'), before: 'unknown (fasting state unknown)', after: 'met' },
  { path: 'criteria.hlh2004.triglyceridesUnknownFasting', override: { value: 'treat-as-fasting' }, resources: () => drug([tg(280)]), probe: HLH('↳ Fasting triglycerides'), before: 'unknown (fasting state unknown)', after: 'met' },
  { path: 'criteria.hlh2004.fibrinogen', override: { lte: 120, alt: [{ unit: 'g/L', lte: 1.2 }] }, resources: () => drug([fib(140)]), probe: HLH('↳ Fibrinogen'), before: 'met', after: 'not met' },
  { path: 'criteria.hlh2004.ferritin', override: { gte: 1000, alt: [{ unit: 'ug/L', gte: 1000 }] }, resources: () => drug(), probe: indicator, before: 'warning', after: 'no card' },
  { path: 'criteria.hlh2004.scd25', override: { gte: 3000 }, resources: () => drug([scd25(2500)]), probe: HLH('Soluble CD25 (sIL-2R)'), before: 'met', after: 'not met' },
  // ------------------------------------------------------------------------------------------ HScore
  { path: 'criteria.hscore.maximum', override: { value: 400 }, resources: () => drug(), probe: detailMatch(/HScore: [\d–]+ of (\d+)/), before: '337', after: '400' },
  { path: 'criteria.hscore.cutoff', override: { value: 190 }, resources: hscore176, probe: (r) => [indicator(r), detailMatch(/cut-off (\d+)/)(r)], before: ['critical', '169'], after: ['warning', '190'] },
  { path: 'criteria.hscore.immunosuppressionPoints', override: { value: 10 }, resources: () => drug([condition(ICD, 'B20', { clinicalStatus: { coding: [{ code: 'active' }] } })]), probe: pointsOf('Known underlying immunosuppression'), before: '18', after: '10' },
  { path: 'criteria.hscore.immunosuppressionMedicationMinDays', override: { value: 7 }, resources: () => drug([statement('prednisone 10 mg daily', D(10).slice(0, 10))]), probe: pointsOf('Known underlying immunosuppression'), before: '0–18', after: '18' },
  {
    path: 'criteria.hscore.temperature',
    override: { bands: [{ points: 0, lt: 39 }, { points: 33, gte: 39, lte: 39.4 }, { points: 49, gt: 39.4 }] },
    resources: () => drug([], { fever: 38.7 }),
    probe: pointsOf('Temperature'),
    before: '33',
    after: '0',
  },
  { path: 'criteria.hscore.organomegaly', override: { one: 20 }, resources: () => drug([condition(ICD, 'R16.0', { verificationStatus: { coding: [{ code: 'refuted' }] } })]), probe: pointsOf('Organomegaly'), before: '23', after: '20' },
  { path: 'criteria.hscore.cytopenias.hemoglobin', override: { lte: 8, alt: [{ unit: 'g/L', lte: 80 }] }, resources: () => drug([wbc(8)], { hb: 8.5 }), probe: pointsOf('Number of cytopenias'), before: '24', after: '0' },
  { path: 'criteria.hscore.cytopenias.wbc', override: { lte: 3, alt: [{ unit: '10*3/uL', lte: 3 }] }, resources: () => drug([wbc(4)], { hb: 12 }), probe: pointsOf('Number of cytopenias'), before: '24', after: '0' },
  { path: 'criteria.hscore.cytopenias.platelets', override: { lte: 60, alt: [{ unit: '10*3/uL', lte: 60 }] }, resources: () => drug([wbc(8)], { plt: 80 }), probe: pointsOf('Number of cytopenias'), before: '24', after: '0' },
  { path: 'criteria.hscore.cytopenias.pointsByCount', override: { value: [0, 0, 30, 34] }, resources: () => drug([wbc(8)]), probe: pointsOf('Number of cytopenias'), before: '24', after: '30' },
  {
    path: 'criteria.hscore.ferritin',
    override: { bands: [{ points: 0, lt: 3000 }, { points: 35, gte: 3000, lte: 6000 }, { points: 50, gt: 6000 }] },
    resources: () => drug([], { ferritin: 2500 }),
    probe: pointsOf('Ferritin'),
    before: '35',
    after: '0',
  },
  {
    path: 'criteria.hscore.triglycerides',
    override: { bands: [{ points: 0, lt: 250 }, { points: 44, gte: 250, lte: 354 }, { points: 64, gt: 354 }] },
    resources: () => drug([tg(200)]),
    probe: pointsOf('Triglycerides'),
    before: '44',
    after: '0',
  },
  { path: 'criteria.hscore.fibrinogen', override: { bands: [{ points: 0, gt: 200 }, { points: 30, lte: 200 }] }, resources: () => drug([fib(240)]), probe: pointsOf('Fibrinogen'), before: '30', after: '0' },
  { path: 'criteria.hscore.ast', override: { bands: [{ points: 0, lt: 50 }, { points: 19, gte: 50 }] }, resources: () => drug([ast(40)]), probe: pointsOf('AST'), before: '19', after: '0' },
  { path: 'criteria.hscore.hemophagocytosisPoints', override: { value: 30 }, resources: () => drug([findingObs('hemophagocytosis', true, H(30))]), probe: pointsOf('Hemophagocytosis on bone marrow aspirate'), before: '35', after: '30' },
  {
    path: 'criteria.hscore.probabilityTable',
    override: { value: [{ score: 0, percent: 10 }, { score: 337, percent: 90 }] },
    resources: hscore176,
    probe: (r) => [hscoreScore(r), detailMatch(/Probability of reactive HLH: (\S+) from/)(r)],
    before: ['176', '63.6%'],
    after: ['176', '51.8%'],
  },
  // ------------------------------------------------------------------------------------------ OHI
  { path: 'criteria.ohi.scd25', override: { gt: 5000 }, resources: () => drug([scd25(4000)], { ferritin: 2000 }), probe: detailMatch(/OHI index: (\w+)/), before: 'positive', after: 'negative' },
  { path: 'criteria.ohi.ferritin', override: { gt: 3000, alt: [{ unit: 'ug/L', gt: 3000 }] }, resources: () => drug([scd25(5000)], { ferritin: 2000 }), probe: detailMatch(/OHI index: (\w+)/), before: 'positive', after: 'negative' },
  // ------------------------------------------------------------------------------------------ trends, pediatric
  {
    path: 'criteria.trends.changeHours',
    override: { value: 24 },
    resources: () => drug([ferritin(500, 54), ferritin(700, 30)], { ferritin: null }).concat([ferritin(900)]),
    probe: detailMatch(/Ferritin: .*change over (\d+) h/),
    before: '48',
    after: '24',
  },
  {
    path: 'criteria.trends.toleranceHours',
    override: { value: 0 },
    resources: () => drug([ferritin(500, 42)], { ferritin: null }).concat([ferritin(900)]),
    probe: detailMatch(/Ferritin: .*change over (\d+) h/),
    before: '36',
    after: 'absent',
  },
  {
    path: 'criteria.pediatric.underAgeYears',
    override: { value: 10 },
    resources: () => iec([lab('1742-6', 300, 'U/L', H(6))], { birthDate: D(15 * 366).slice(0, 10) }),
    probe: detailMatch(/(Pediatric patient)/),
    before: 'Pediatric patient',
    after: 'absent',
  },
];

/** An IEC patient with HScore 172 and HLH-2004 4 of 8: critical by the HScore alone. */
const iecHscore = () => iec([temp(39.6), hb(8), plt(50), ast(40)], { ferritin: 6500 });

export const indicatorRows: Row[] = [
  { path: 'indicator.iec.critical', override: { any: ['hlh2004-reached'] }, resources: iecHscore, probe: indicator, before: 'critical', after: 'warning' },
  { path: 'indicator.iec.warning', override: { all: ['astct-suggestive', 'hlh2004-reached'] }, resources: () => iec(), probe: indicator, before: 'warning', after: 'no card' },
  {
    path: 'indicator.iec.hlhWithoutAstct',
    override: { indicator: 'info' },
    resources: () => iec([temp(39.6), condition(ICD, 'R16.2', { clinicalStatus: { coding: [{ code: 'active' }] }, onsetDateTime: D(2) }), hb(8), plt(50), anc(0.5), tg(400)], { ferritin: null, fib: null }),
    probe: indicator,
    before: 'warning',
    after: 'info',
  },
  { path: 'indicator.iec.info', override: { all: ['astct-watch', 'hlh2004-reached'] }, resources: () => iec([], { fib: null }), probe: indicator, before: 'info', after: 'no card' },
  { path: 'indicator.drug.critical', override: { any: ['hlh2004-reached'] }, resources: hscore176, probe: indicator, before: 'critical', after: 'warning' },
  { path: 'indicator.drug.warning', override: { all: ['hlh2004-ferritin-met'] }, resources: () => drug([], { hb: null, spleen: false }), probe: indicator, before: 'no card', after: 'warning' },
  { path: 'indicator.drugWarningFurtherCriteria', override: { value: 4 }, resources: () => drug(), probe: indicator, before: 'warning', after: 'no card' },
  {
    path: 'indicator.isolatedHyperferritinemiaMax',
    override: { value: 'warning' },
    base: { indicator: { drug: { warning: { all: ['hlh2004-ferritin-met'] } } } },
    resources: () => drug([], { fever: null, hb: null, plt: null, spleen: false }),
    probe: indicator,
    before: 'info',
    after: 'warning',
  },
];
