/**
 * Trigger therapies for the clinical data layer and the exposure windows the criteria engine
 * screens in: per agent its class, generic/brand names and codes; per class its window.
 *
 * Each agent and window carries its status and source (docs/knowledge.md). Windows are all [design]. Codes:
 * only the four confirmed RxNorm ingredient codes (ibrutinib, blinatumomab, pembrolizumab, nivolumab); every other agent is matched by name until its
 * code is looked up (sites add `codes` rows; NCIt codes likewise). JSON-friendly: a site overrides windows,
 * adds agents, names or codes with a JSON file validated by `exposureKnowledgeSchema`.
 *
 * Names are matched after normalisation (lower case, accents stripped, punctuation → space, the word "and"
 * ignored) as whole-word sequences inside the medication/procedure text or coding display.
 */
import { z } from 'zod';
import { codeRefSchema } from './analytes';
import { EXPOSURE_CLASSES, RXNORM } from '../vocabulary';
import { cite, design, provenance, reproduced, type Provenance } from './provenance';

const durationSchema = z.strictObject({ value: z.number().nonnegative(), unit: z.enum(['d', 'wk']) });
export type WindowDuration = z.infer<typeof durationSchema>;

/**
 * When a documented exposure puts the patient "in window". The window opens at the exposure's `start`
 * (first dose / infusion = day 0) — and again at each dose increase when `reopenOnDoseIncrease` — and
 * closes `closeAfter` after `closeFrom` (`start`: fixed window; `last`: last dose). With `openWhileOngoing`
 * an ongoing therapy keeps the window open (the close is measured from "now").
 */
const exposureWindowSchema = z.strictObject({
  closeFrom: z.enum(['start', 'last']),
  closeAfter: durationSchema,
  openWhileOngoing: z.boolean(),
  reopenOnDoseIncrease: z.boolean(),
  ...provenance,
});
export type ExposureWindow = z.infer<typeof exposureWindowSchema>;

const agentSchema = z.strictObject({
  /** Generic name, lower case; becomes `Exposure.agent`. */
  agent: z.string().min(1),
  class: z.enum(EXPOSURE_CLASSES),
  /** Generic and brand names (and synonyms) to match when no code matched. */
  names: z.array(z.string().min(1)),
  /** RxNorm / NCIt / local codes (system + code). */
  codes: z.array(codeRefSchema),
  /** Class-level catch-all (e.g. "CAR T-cell infusion" with no product): used only when no named agent matched. */
  unspecified: z.boolean().optional(),
  /**
   * [design] Screened as a class effect of its drug class: no HLH report specific to the agent is cited. The card
   * says so.
   */
  classEffect: z.literal(true).optional(),
  /** Why the agent is screened (the evidence for its class, or a design decision). */
  ...provenance,
});
export type AgentDefinition = z.infer<typeof agentSchema>;

export const exposureKnowledgeSchema = z.strictObject({
  windows: z.record(z.enum(EXPOSURE_CLASSES), exposureWindowSchema),
  agents: z.array(agentSchema),
  /**
   * MedicationRequest intents that do not document an exposure (a proposal or plan is not an order) [design].
   * Such requests are skipped with an info issue.
   */
  nonExposureRequestIntents: z.array(z.string().min(1)),
  /**
   * Words (or word sequences, matched like agent names) that mark a Procedure as a step before or around a
   * therapy rather than its administration — cell collection, manufacturing, preparation, transport,
   * lymphodepletion, bridging [design]. A word ending in `*` matches every word it begins ("harvest*" matches
   * "harvesting"). Such a Procedure is never exposure evidence, even when its text also says "administration"
   * (Lee 2019 ASTCT / Hines 2023: day 0 = the infusion; the apheresis weeks earlier must not become CAR T day 0);
   * it is skipped with an info issue `procedure-not-exposure`.
   */
  nonExposureProcedureTokens: z.array(z.string().regex(/^[^*]*[^*\s][^*]*\*?$/, 'a word or phrase, optionally ending in *')),
  /**
   * Procedure codes (system + code) of such steps, e.g. a site's billing codes for CAR T cell collection,
   * preparation or receipt. Site-configured; none shipped (no code list confirmed from a citable source).
   */
  nonExposureProcedureCodes: z.array(codeRefSchema),
});
export type ExposureKnowledge = z.infer<typeof exposureKnowledgeSchema>;

type Agent = AgentDefinition;

/** Why each class is screened: the evidence that names its agents as HLH triggers. */
const CLASS_EVIDENCE: Record<Agent['class'], Provenance> = {
  'car-t': reproduced('hines-2023', 'IEC-HS after immune effector cell therapy'),
  't-cell-engager': reproduced('hines-2023', 'T-cell engagers grouped with immune effector cell therapies'),
  'checkpoint-inhibitor': cite('noseda-2019', '38 HLH reports in VigiBase'),
  'btk-inhibitor': reproduced('ibrutinib-case-series'),
  lamotrigine: cite('fda-2018-lamotrigine'),
  'tmp-smx': cite('faers-2023-q3', 'potential signal'),
};

const agent = (name: string, cls: Agent['class'], brands: string[] = [], codes: string[] = []): Agent => ({
  agent: name,
  class: cls,
  names: [name, ...brands],
  codes: codes.map((code) => ({ system: RXNORM, code })),
  ...CLASS_EVIDENCE[cls],
});
/** Screened as a class effect of its drug class: no HLH report specific to the agent is cited. */
const classEffect = (a: Agent): Agent => ({ ...a, classEffect: true, ...design('checkpoint inhibitors screened as a class effect', 'PD-1 inhibitors without an agent-specific HLH report are screened as an effect of their class; the card says so.') });

export const defaultExposureKnowledge: ExposureKnowledge = {
  windows: {
    // day 0 = infusion; screen days 0–100
    'car-t': { closeFrom: 'start', closeAfter: { value: 100, unit: 'd' }, openWhileOngoing: false, reopenOnDoseIncrease: false, ...design('exposure window: car-t', 'Day 0 = infusion; screen days 0–100 (most onsets days 2–37: ASH 2025).') },
    // from first dose, while on therapy + 90 days
    't-cell-engager': { closeFrom: 'last', closeAfter: { value: 90, unit: 'd' }, openWhileOngoing: true, reopenOnDoseIncrease: false, ...design('exposure window: t-cell-engager', 'From the first dose, while on therapy and 90 days after the last dose.') },
    // from first dose to 26 weeks after last dose
    'checkpoint-inhibitor': { closeFrom: 'last', closeAfter: { value: 26, unit: 'wk' }, openWhileOngoing: true, reopenOnDoseIncrease: false, ...design('exposure window: checkpoint-inhibitor', 'From the first dose to 26 weeks after the last dose (Noseda 2019: median onset 6.7 weeks, IQR 2.9–15.4).') },
    // while on therapy + 90 days
    'btk-inhibitor': { closeFrom: 'last', closeAfter: { value: 90, unit: 'd' }, openWhileOngoing: true, reopenOnDoseIncrease: false, ...design('exposure window: btk-inhibitor', 'While on therapy and 90 days after the last dose.') },
    // 0–8 weeks after start or dose increase
    lamotrigine: { closeFrom: 'start', closeAfter: { value: 8, unit: 'wk' }, openWhileOngoing: false, reopenOnDoseIncrease: true, ...design('exposure window: lamotrigine', '0–8 weeks after the start or a dose increase (FDA 2018: onset days to weeks).') },
    // 0–8 weeks (from start)
    'tmp-smx': { closeFrom: 'start', closeAfter: { value: 8, unit: 'wk' }, openWhileOngoing: false, reopenOnDoseIncrease: false, ...design('exposure window: tmp-smx', '0–8 weeks from the start (a FAERS signal).') },
  },
  agents: [
    // CAR T (IEC): generic · brand
    agent('tisagenlecleucel', 'car-t', ['kymriah']),
    agent('axicabtagene ciloleucel', 'car-t', ['yescarta']),
    agent('brexucabtagene autoleucel', 'car-t', ['tecartus']),
    agent('lisocabtagene maraleucel', 'car-t', ['breyanzi']),
    agent('idecabtagene vicleucel', 'car-t', ['abecma']),
    agent('ciltacabtagene autoleucel', 'car-t', ['carvykti']),
    agent('obecabtagene autoleucel', 'car-t', ['aucatzyl']),
    // [design] a CAR T infusion documented without its product still anchors day 0
    {
      agent: 'car-t cell therapy (product not stated)',
      class: 'car-t',
      names: ['car t', 'car t cell', 'chimeric antigen receptor'],
      codes: [],
      unspecified: true,
      ...design('CAR T infusion without a product name', 'A CAR T infusion documented without its product still anchors day 0.'),
    },
    // T-cell engagers (IEC); blinatumomab RxNorm 1597258 [confirmed]
    agent('blinatumomab', 't-cell-engager', ['blincyto'], ['1597258']),
    agent('teclistamab', 't-cell-engager', ['tecvayli']),
    agent('talquetamab', 't-cell-engager', ['talvey']),
    agent('elranatamab', 't-cell-engager', ['elrexfio']),
    agent('epcoritamab', 't-cell-engager', ['epkinly']),
    agent('glofitamab', 't-cell-engager', ['columvi']),
    agent('mosunetuzumab', 't-cell-engager', ['lunsumio']),
    agent('tarlatamab', 't-cell-engager', ['imdelltra']),
    // immune checkpoint inhibitors (generics); pembrolizumab 1547545 and nivolumab 1597876 RxNorm [confirmed].
    // Brand names are [design]: added from the US labels, verify before relying on them.
    agent('pembrolizumab', 'checkpoint-inhibitor', ['keytruda'], ['1547545']),
    agent('nivolumab', 'checkpoint-inhibitor', ['opdivo', 'opdualag'], ['1597876']),
    agent('ipilimumab', 'checkpoint-inhibitor', ['yervoy']),
    agent('atezolizumab', 'checkpoint-inhibitor', ['tecentriq']),
    agent('durvalumab', 'checkpoint-inhibitor', ['imfinzi']),
    agent('avelumab', 'checkpoint-inhibitor', ['bavencio']),
    agent('cemiplimab', 'checkpoint-inhibitor', ['libtayo']),
    agent('dostarlimab', 'checkpoint-inhibitor', ['jemperli']),
    agent('tremelimumab', 'checkpoint-inhibitor', ['imjudo']),
    agent('relatlimab', 'checkpoint-inhibitor', ['opdualag']),
    agent('retifanlimab', 'checkpoint-inhibitor', ['zynyz']),
    agent('toripalimab', 'checkpoint-inhibitor', ['loqtorzi']),
    agent('tislelizumab', 'checkpoint-inhibitor', ['tevimbra']),
    // PD-1 inhibitors screened as a class effect [design] (no agent-specific HLH report cited). Brands:
    // sintilimab · Tyvyt (Zhang 2020, Front Oncol 10:594558); camrelizumab · AiRuiKa (Markham & Keam 2019, Drugs,
    // "Camrelizumab: First Global Approval"); serplulimab · Hetronifly (EMA CHMP opinion, Sept 2024) and
    // Hansizhuang (China); penpulimab: the FDA label names only "penpulimab-kcqx", so "anniko" (trade press,
    // 2025) is [design] and unconfirmed.
    classEffect(agent('sintilimab', 'checkpoint-inhibitor', ['tyvyt'])),
    classEffect(agent('camrelizumab', 'checkpoint-inhibitor', ['airuika'])),
    classEffect(agent('penpulimab', 'checkpoint-inhibitor', ['penpulimab-kcqx', 'anniko'])),
    classEffect(agent('serplulimab', 'checkpoint-inhibitor', ['hetronifly', 'hansizhuang'])),
    // BTK inhibitor; ibrutinib RxNorm 1442981 [confirmed]
    agent('ibrutinib', 'btk-inhibitor', ['imbruvica'], ['1442981']),
    // anticonvulsant
    agent('lamotrigine', 'lamotrigine', ['lamictal']),
    // antibiotic (signal); synonyms and brands [design]
    agent('trimethoprim-sulfamethoxazole', 'tmp-smx', [
      'sulfamethoxazole trimethoprim',
      'co-trimoxazole',
      'cotrimoxazole',
      'tmp-smx',
      'smx-tmp',
      'bactrim',
      'septra',
    ]),
  ],
  nonExposureRequestIntents: ['proposal', 'plan'], // [design] not an order: no exposure yet
  // [design] procedures that precede or surround a CAR T infusion without being it (day 0 = infusion). Stems end in
  // "*". "receipt" is a whole word on purpose: "receiv*" would also match "received CAR T infusion".
  nonExposureProcedureTokens: [
    'apheres*',
    'leukapheres*',
    'leukopheres*',
    'pheres*',
    'collect*',
    'harvest*',
    'manufactur*',
    'prepar*',
    'receipt',
    'cryopreserv*',
    'storage',
    'stored',
    'transport*',
    'lymphodeplet*',
    'bridg*',
  ],
  nonExposureProcedureCodes: [], // site-configured: no shipped default
};
