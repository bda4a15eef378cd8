/**
 * Per-knowledge lookup tables (built once by `createTimelineBuilder`) and the per-call accumulator.
 */
import type { Knowledge } from '../knowledge';
import type { AgentDefinition } from '../knowledge/exposures';
import type { FindingCode } from '../knowledge/findings';
import { CodeNormalizer, NameMatcher } from './codes';
import type { RefIndex } from './ingest';
import type { AnalyteId, DataIssue, Finding, LabValue, NotEvaluableValue } from './types';
import { UnitConverter } from './units';

export interface MedicationGroup {
  detail: string;
}

export interface Tables {
  knowledge: Knowledge;
  codes: CodeNormalizer;
  units: UnitConverter;
  analyteByCode: Map<string, AnalyteId>;
  findingsByCode: Map<string, FindingCode[]>;
  positiveValues: Set<string>;
  negativeValues: Set<string>;
  agentsByCode: Map<string, AgentDefinition[]>;
  agentNames: NameMatcher<AgentDefinition>;
  immunoByCode: Map<string, MedicationGroup[]>;
  immunoNames: NameMatcher<MedicationGroup>;
  nonSystemicTokens: Set<string>;
  nonExposureIntents: Set<string>;
}

function push<K, V>(map: Map<K, V[]>, key: K | undefined, value: V): void {
  if (key === undefined) return;
  const list = map.get(key) ?? [];
  if (!list.includes(value)) list.push(value);
  map.set(key, list);
}

export function buildTables(knowledge: Knowledge): Tables {
  const codes = new CodeNormalizer(knowledge.analytes.codeSystemAliases);
  const analyteByCode = new Map<string, AnalyteId>();
  for (const [id, def] of Object.entries(knowledge.analytes.analytes) as [AnalyteId, { codes: { system: string; code: string }[] }][]) {
    for (const c of def.codes) {
      const key = codes.key(c.system, c.code);
      // First definition wins if a site lists one code under two analytes (a configuration error).
      if (key !== undefined && !analyteByCode.has(key)) analyteByCode.set(key, id);
    }
  }
  const findingsByCode = new Map<string, FindingCode[]>();
  for (const f of knowledge.findings.codes) push(findingsByCode, codes.key(f.system, f.code), f);
  const keySet = (list: { system: string; code: string }[]) =>
    new Set(list.map((c) => codes.key(c.system, c.code)).filter((k): k is string => k !== undefined));

  const agentsByCode = new Map<string, AgentDefinition[]>();
  const agentNames = new NameMatcher<AgentDefinition>();
  for (const a of knowledge.exposures.agents) {
    for (const c of a.codes) push(agentsByCode, codes.key(c.system, c.code), a);
    for (const n of a.names) agentNames.add(n, a);
  }
  const immunoByCode = new Map<string, MedicationGroup[]>();
  const immunoNames = new NameMatcher<MedicationGroup>();
  for (const g of knowledge.findings.immunosuppressiveMedications) {
    for (const c of g.codes) push(immunoByCode, codes.key(c.system, c.code), g);
    for (const n of g.names) immunoNames.add(n, g);
  }
  return {
    knowledge,
    codes,
    units: new UnitConverter(knowledge.analytes),
    analyteByCode,
    findingsByCode,
    positiveValues: keySet(knowledge.findings.positiveValues),
    negativeValues: keySet(knowledge.findings.negativeValues),
    agentsByCode,
    agentNames,
    immunoByCode,
    immunoNames,
    nonSystemicTokens: new Set(knowledge.findings.nonSystemicNameTokens.map((t) => t.toLowerCase())),
    nonExposureIntents: new Set(knowledge.exposures.nonExposureRequestIntents),
  };
}

/** A dated dose, for dose-increase detection. */
export interface DosePoint {
  time: string;
  amount: number;
  unit: string;
  perDay?: number;
}

/**
 * What a resource's dates document, strongest first: `administered` (MedicationAdministration, Procedure: the
 * dose or infusion was given), `reported` (MedicationStatement: taken, as reported), `scheduled`
 * (MedicationRequest dosage timing / validity period: the planned course), `ordered` (MedicationRequest
 * authoredOn only: when the order was written, not a dose). See `mergeExposures` for how they rank.
 */
export type ExposureDateKind = 'administered' | 'reported' | 'scheduled' | 'ordered';

/** One resource's evidence of exposure to one agent, merged per agent at the end. */
export interface ExposureEvidence {
  agent: AgentDefinition;
  matchedBy: 'code' | 'name';
  matched: string;
  source: string;
  dates: string[];
  dateKind: ExposureDateKind;
  ongoing?: boolean;
  doses: DosePoint[];
}

export interface Acc {
  t: Tables;
  /** Read every choice field through FHIRPath (the reference path; differential tests only). */
  fhirpathOnly?: boolean;
  index: RefIndex;
  issues: DataIssue[];
  labs: LabValue[];
  notEvaluable: NotEvaluableValue[];
  findings: Finding[];
  exposures: ExposureEvidence[];
}
