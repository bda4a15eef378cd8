/**
 * The bibliography of the knowledge base: every `source.id` a knowledge value cites. A site adds its own entries
 * (e.g. its laboratory's reference-range document) and cites them from the values it overrides.
 */
import type { Bibliography } from './provenance';

export const defaultSources: Bibliography = {
  'henter-2007': {
    short: 'Henter 2007 (HLH-2004)',
    citation: 'Henter JI, et al. HLH-2004 diagnostic and therapeutic guidelines for hemophagocytic lymphohistiocytosis. Pediatr Blood Cancer 2007;48:124',
    doi: '10.1002/pbc.21039',
  },
  'fardet-2014': {
    short: 'Fardet 2014 (HScore)',
    citation: 'Fardet L, et al. Development and validation of the HScore, a score for the diagnosis of reactive hemophagocytic syndrome. Arthritis Rheumatol 2014;66:2613',
    doi: '10.1002/art.38690',
  },
  'hines-2023': {
    short: 'Hines 2023 (ASTCT IEC-HS)',
    citation: 'Hines MR, et al. Immune effector cell-associated hemophagocytic lymphohistiocytosis-like syndrome. Transplant Cell Ther 2023 (ASTCT consensus; PMID 36906275)',
    doi: '10.1016/j.jtct.2023.03.006',
  },
  'zoref-lorenz-2022': {
    short: 'Zoref-Lorenz 2022 (OHI)',
    citation: 'Zoref-Lorenz A, et al. OHI index for HLH in adults with hematologic malignancy. Blood 2022;139:1098',
    doi: '10.1182/blood.2021012764',
  },
  'noseda-2019': {
    short: 'Noseda 2019 (checkpoint inhibitors, VigiBase)',
    citation: 'Noseda R, et al. Haemophagocytic lymphohistiocytosis in patients treated with immune checkpoint inhibitors: 38 reports in VigiBase. J Immunother Cancer 2019;7:117',
  },
  'ibrutinib-case-series': {
    short: 'ibrutinib case series',
    citation: 'Case series of HLH on ibrutinib: Ambinder; Cavallari 2017; Gao 2024 (a proposed ITK off-target effect)',
  },
  'fda-2018-lamotrigine': {
    short: 'FDA 2018 (lamotrigine Drug Safety Communication)',
    citation: 'US Food and Drug Administration. Drug Safety Communication on lamotrigine (Lamictal) and hemophagocytic lymphohistiocytosis, 25 April 2018 (8 cases)',
  },
  'faers-2023-q3': {
    short: 'FDA FAERS Q3 2023 (trimethoprim-sulfamethoxazole signal)',
    citation: 'US Food and Drug Administration. Potential signals of serious risks identified by the FDA Adverse Event Reporting System (FAERS), July–September 2023 (Q3): trimethoprim-sulfamethoxazole and HLH',
  },
  'porter-2022': {
    short: 'Porter 2022',
    citation: 'Porter et al. Br J Haematol 2022;199:720 (HLH-like syndrome after CAR T: falling CRP and IL-6 while ferritin rose)',
  },
  'ash-2025': {
    short: 'ASH 2025 abstract 719',
    citation: 'IEC-HS after ide-cel or cilta-cel in 1,502 patients with myeloma. Blood 2025;146(Suppl 1):719 (ASH annual meeting abstract)',
  },
  'zhuo-2021': {
    short: 'Zhuo 2021 (treatment-related HLH)',
    citation: 'Zhuo W, Wang C, Sun Z. Progress of treatment-related hemophagocytic syndrome. J Leuk Lymphoma 2021;30(11):695-697',
    doi: '10.3760/cma.j.cn115356-20210307-00043',
  },
  'lee-2025': {
    short: 'Lee 2025 (IEC-HS review)',
    citation: 'Lee JC, Johnson WT, Hines M, Shah NN. Hematol Oncol Clin North Am 2025',
    doi: '10.1016/j.hoc.2025.02.005',
  },
  loinc: {
    short: 'LOINC',
    citation: 'Logical Observation Identifiers Names and Codes (LOINC), Regenstrief Institute',
    url: 'https://loinc.org',
  },
  ucum: {
    short: 'UCUM',
    citation: 'The Unified Code for Units of Measure (UCUM), Regenstrief Institute',
    url: 'https://ucum.org',
  },
  site: {
    short: 'site configuration',
    citation: "This hospital's knowledge file (KNOWLEDGE_FILE): a value the site set or changed without citing a source of its own; the site's CDS committee answers for it",
  },
  design: {
    short: 'HLH Sentinel design decision',
    citation: 'A product decision, not a guideline: explained in docs/knowledge.md, section "Design decisions"; configurable, review before go-live',
  },
};
