/**
 * The knowledge report as Markdown: what a CDS committee reads and signs off (docs/knowledge.md is this for the
 * shipped defaults). Sections follow the knowledge base; every value shows its setting, status, citation and, for a
 * site's file, whether the site changed it; the design decisions are listed again at the end with their reasons.
 */
import type { KnowledgeEntry, KnowledgeReport } from './report';

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

const SECTIONS: [prefix: string, title: string][] = [
  ['criteria.lookback', 'Which value counts (lookbacks)'],
  ['criteria.ferritinDefaultUln', 'Ferritin ULN without a laboratory range'],
  ['criteria.iecHs', 'ASTCT IEC-HS (Hines 2023) and the screen’s working rule'],
  ['criteria.hlh2004', 'HLH-2004 (Henter 2007)'],
  ['criteria.hscore', 'HScore (Fardet 2014)'],
  ['criteria.ohi', 'OHI index (Zoref-Lorenz 2022)'],
  ['criteria.trends', 'Trends'],
  ['criteria.pediatric', 'Pediatric patients'],
  ['indicator', 'Card indicator rules'],
  ['exposures.windows', 'Exposure windows'],
  ['exposures.agents', 'Trigger agents'],
  ['findings', 'Finding codes'],
  ['analytes', 'Analytes: codes, units, fallback ranges, plausibility limits'],
];

function sourcesTable(r: KnowledgeReport): string[] {
  const used = new Set(r.values.map((v) => v.source.id));
  const rows = Object.entries(r.sources)
    .filter(([id]) => used.has(id))
    .map(([id, s]) => {
      const link = s.doi ? `[doi:${s.doi}](https://doi.org/${s.doi})` : s.url ? `<${s.url}>` : '';
      return `| \`${id}\` | ${cell(s.citation)} | ${link} |`;
    });
  return ['| Id | Citation | Link |', '|---|---|---|', ...rows];
}

function valuesTable(entries: readonly KnowledgeEntry[], site: boolean): string[] {
  const head = site ? '| Path | Setting | Status | Source | Site changed |' : '| Path | Setting | Status | Source |';
  const rule = site ? '|---|---|---|---|---|' : '|---|---|---|---|';
  const rows = entries.map((e) => {
    const cells = [`\`${e.path}\``, cell(e.setting), e.status, cell(e.citation)];
    if (site) cells.push(e.siteChanged ? '**yes**' : '');
    return `| ${cells.join(' | ')} |`;
  });
  return [head, rule, ...rows];
}

/** The report as Markdown; `site` adds the "site changed" column (a site's effective knowledge). */
export function knowledgeMarkdown(r: KnowledgeReport, opts: { site: boolean }): string {
  const out: string[] = [
    '# Clinical knowledge',
    '',
    `Knowledge version **${r.version}**${opts.site ? `; paths the site's file changed: ${r.overrides.length ? r.overrides.map((p) => `\`${p}\``).join(', ') : 'none'}` : ''}.`,
    '',
    'Every threshold, window, code list and rule parameter the service uses, with its evidence status and source.',
    'Status: **confirmed** — seen in the cited paper (or two concordant reproductions of it); **reproduced** — taken from',
    'secondary reproductions of a paper whose own tables could not be read (verify before go-live); **design** — a',
    'product decision, not a guideline (see "Design decisions" below). Operators are exact (≥ is not >); a threshold in',
    'parentheses restates it in another unit system with that system\'s published number.',
    '',
    'A site overrides any value with a JSON file (`KNOWLEDGE_FILE`, schema: [knowledge.schema.json](knowledge.schema.json))',
    'holding only the keys it changes: objects merge, lists replace. A changed value without its own `status` and',
    '`source` becomes the site\'s decision (`design`, source `site`). `npm run knowledge -- --knowledge FILE` prints the',
    'effective values with what the site changed. This file is generated from the shipped defaults by',
    '`npm run knowledge:docs`; a test keeps it in sync.',
    '',
    '## Sources',
    '',
    ...sourcesTable(r),
  ];
  for (const [prefix, title] of SECTIONS) {
    const entries = r.values.filter((v) => v.path === prefix || v.path.startsWith(`${prefix}.`));
    if (entries.length) out.push('', `## ${title}`, '', ...valuesTable(entries, opts.site));
  }
  if (r.notation.length) {
    out.push('', '## Notation (word lists and aliases)', '', 'Not clinical values: how text and codes are read. Each is overridable like the values above.', '');
    for (const n of r.notation) out.push(`- \`${n.path}\`${opts.site && n.siteChanged ? ' (**site changed**)' : ''}: ${cell(JSON.stringify(n.value))}`);
  }
  const decisions = r.values.filter((v) => v.status === 'design' && v.source.id !== 'site');
  out.push('', '## Design decisions', '', 'Product decisions for clinical review before go-live, each configurable.', '');
  for (const [locator, entries] of groupBy(decisions, (d) => d.source.locator ?? '')) {
    const notes = [...new Set(entries.map((e) => e.note).filter((n): n is string => Boolean(n)))];
    out.push(`- **${locator}** (${entries.map((e) => `\`${e.path}\``).join(', ')})${notes.length ? `: ${notes.join(' ')}` : ''}`);
  }
  return `${out.join('\n')}\n`;
}

function groupBy<T>(xs: readonly T[], key: (x: T) => string): [string, T[]][] {
  const m = new Map<string, T[]>();
  for (const x of xs) m.set(key(x), [...(m.get(key(x)) ?? []), x]);
  return [...m];
}
