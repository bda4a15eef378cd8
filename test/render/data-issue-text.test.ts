/**
 * Data issues are codes with parameters; their sentences are card content (cards/wording.json `dataIssues`,
 * `dataIssueTerms`). Every code and term has wording that uses only what its producer fills, a site copy is checked
 * the same way, and what a site writes is what the card says.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CardContentError, loadCardContent } from '../../src/render/content';
import { dataIssueText } from '../../src/render/data-issue-text';
import { renderCards } from '../../src/render/cards';
import { loadEvidenceContent } from '../../src/evidence/content';
import {
  DATA_ISSUE_CODES,
  DATA_ISSUE_PARAMS,
  DATA_ISSUE_TERM_PARAMS,
  DATA_ISSUE_TERMS,
  isDataIssue,
  type DataIssue,
  type TermRef,
} from '../../src/vocabulary';
import { assessment, seqIds } from './fixtures';

const shipped = path.resolve(__dirname, '../../cards');
const content = loadCardContent();

function siteWording(edit: (w: Record<string, Record<string, unknown>>) => void, file = 'wording.json'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cards-'));
  cpSync(shipped, dir, { recursive: true });
  const p = path.join(dir, file);
  const j = JSON.parse(readFileSync(p, 'utf8'));
  edit(j);
  writeFileSync(p, JSON.stringify(j));
  return dir;
}

/** Each parameter set to a value that names it, so the test sees where it landed. */
function sampleParams(names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.map((n) => [n, `<${n}>`]));
}

describe('every data-issue code has a sentence that uses its parameters', () => {
  test.each(DATA_ISSUE_CODES.map((c) => [c]))('%s', (code) => {
    const names = DATA_ISSUE_PARAMS[code];
    const issue = { severity: 'warning', code, params: sampleParams(names) } as DataIssue;
    const text = dataIssueText(issue, content.wording);
    expect(text).not.toMatch(/\{[a-zA-Z]+\}/);
    expect(text.length).toBeGreaterThan(10);
    // Counts and data the producer fills are shown; the severity word and code are the detail list's, not this.
    const shown = names.filter((n) => text.includes(`<${n}>`));
    expect(shown).toEqual([...names]);
  });
});

describe('every term renders with its own parameters', () => {
  test.each(DATA_ISSUE_TERMS.map((t) => [t]))('%s', (t) => {
    const names = DATA_ISSUE_TERM_PARAMS[t];
    const ref = { term: t, params: sampleParams(names) } as unknown as TermRef;
    const issue: DataIssue = { severity: 'warning', code: 'fetch-truncated', params: { key: 'labs', pages: 2, cause: ref } };
    const text = dataIssueText(issue, content.wording);
    expect(text).toContain(`(${content.wording.dataIssueTerms[t].replace(/\{([a-zA-Z]+)\}/g, '<$1>')})`);
    expect(text).not.toMatch(/\{[a-zA-Z]+\}/);
  });

  test('a list of terms is joined into one sentence', () => {
    const issue: DataIssue = {
      severity: 'warning',
      code: 'medication-reference-unresolved',
      params: { n: 3, reasons: [{ term: 'not-found', params: { n: 2 } }, { term: 'over-limit', params: { n: 1, max: 20 } }] },
    };
    expect(dataIssueText(issue, content.wording)).toBe(
      "3 medication reference(s) could not be resolved to a Medication: 2 not found on the FHIR server; 1 over the read limit (20). Such a drug is identified only by the reference's display text, if any.",
    );
  });
});

describe('an exposure class and a unit read as everywhere else on the card', () => {
  test.each([
    [{ severity: 'warning', code: 'exposure-without-date', params: { agent: 'pembrolizumab', class: 'checkpoint-inhibitor' } }, 'pembrolizumab (immune checkpoint inhibitor) is documented'],
    [{ severity: 'info', code: 'reference-range-not-convertible', params: { analyte: 'Platelets', unit: '10*9/L' } }, 'could not be converted to ×10⁹/L'],
    [
      { severity: 'warning', code: 'implausible-value', params: { analyte: 'Platelets', why: { term: 'outside-plausible-range', params: { value: -5, unit: '10*9/L', limits: '0–10000' } } } },
      'Platelets: -5 ×10⁹/L is outside the plausible range 0–10000 ×10⁹/L',
    ],
    // A class the wording does not know is shown as given.
    [{ severity: 'warning', code: 'exposure-without-date', params: { agent: 'x', class: 'new-class' } }, 'x (new-class) is documented'],
  ])('%j', (issue, expected) => {
    expect(dataIssueText(issue as DataIssue, content.wording)).toContain(expected);
  });
});

describe('a site copy of the wording', () => {
  const prefetch: DataIssue = { severity: 'warning', code: 'prefetch-failed', params: { key: 'labs', reason: 'HTTP 503' } };

  test.each([
    ['a code without its sentence', (w: Record<string, Record<string, unknown>>) => delete w.dataIssues!['prefetch-failed'], /wording\.json: dataIssues\.prefetch-failed/],
    ['a term without its phrase', (w: Record<string, Record<string, unknown>>) => delete w.dataIssueTerms!['page-cap'], /wording\.json: dataIssueTerms\.page-cap/],
    ['a code the service does not know', (w: Record<string, Record<string, unknown>>) => (w.dataIssues!['made-up'] = 'x'), /wording\.json: dataIssues/],
    [
      'a placeholder the producer never fills',
      (w: Record<string, Record<string, unknown>>) => (w.dataIssues!['prefetch-failed'] = 'No {key} for {patientName}'),
      /dataIssues\.prefetch-failed: unknown placeholder \{patientName\} \(prefetch-failed fills: \{key\}, \{reason\}\)/,
    ],
    [
      'a term placeholder the producer never fills',
      (w: Record<string, Record<string, unknown>>) => (w.dataIssueTerms!['page-cap'] = 'page cap {limit}'),
      /dataIssueTerms\.page-cap: unknown placeholder \{limit\} \(page-cap fills: \{max\}\)/,
    ],
  ])('is refused with %s, naming the key', (_label, edit, message) => {
    const dir = siteWording(edit);
    expect(() => loadCardContent(dir)).toThrow(CardContentError);
    expect(() => loadCardContent(dir)).toThrow(message);
  });

  test('that rewords an issue changes what the card says, in the brief card and in the full detail', () => {
    const dir = siteWording((w) => {
      w.dataIssues!['prefetch-failed'] = 'Le DPI n’a pas fourni « {key} » ({reason}).';
      (w.dataIssueList as Record<string, string>).heading = 'Problèmes de données';
    });
    const site = loadCardContent(dir);
    const a = assessment();
    a.dataIssues = [prefetch];
    const [brief] = renderCards(a, { patientId: 'p1', detail: 'brief' }, site, seqIds());
    const [full] = renderCards(a, { patientId: 'p1', detail: 'full' }, site, seqIds());
    expect(brief!.detail).toContain('Le DPI n’a pas fourni « labs » \\(HTTP 503\\).');
    expect(full!.detail).toContain('#### Problèmes de données');
    expect(full!.detail).toContain('prefetch-failed — Le DPI n’a pas fourni « labs » \\(HTTP 503\\).');
    const [shippedFull] = renderCards(a, { patientId: 'p1', detail: 'full' }, content, seqIds());
    expect(shippedFull!.detail).toContain('The EHR could not provide "labs" \\(HTTP 503\\); that data was not evaluated.');
  });

  test('of the evidence view that still words the query problems itself is told where they went', () => {
    const dir = siteWording((e) => ((e.dataIssues as Record<string, string>).queryFailed = 'x'), 'evidence.json');
    expect(() => loadEvidenceContent(dir)).toThrow(/dataIssues\.queryFailed: data-issue sentences are card wording now/);
  });
});

describe('issues read back from a file (the offline evidence page)', () => {
  test.each([
    [{ severity: 'warning', code: 'prefetch-failed', params: { key: 'labs', reason: 'x' } }, true],
    [{ severity: 'info', code: 'input-not-array', params: {} }, true],
    [{ severity: 'warning', code: 'made-up', params: {} }, false],
    [{ severity: 'error', code: 'prefetch-failed', params: {} }, false],
    [{ severity: 'warning', code: 'prefetch-failed', message: 'an issue of an older file' }, false],
    [{ severity: 'warning', code: 'toString', params: {} }, false],
    [null, false],
    ['prefetch-failed', false],
  ])('%j is a data issue: %s', (x, expected) => {
    expect(isDataIssue(x)).toBe(expected);
  });

  test('a known code with parameters of the wrong shape is shown, never thrown', () => {
    const odd = { severity: 'warning', code: 'fetch-truncated', params: { key: 'labs', pages: 2, cause: { term: 'made-up' } } } as unknown as DataIssue;
    expect(dataIssueText(odd, content.wording)).toBe('Only the first 2 page(s) of "labs" were read (made-up); older data may be missing.');
    const nulls = { severity: 'warning', code: 'fetch-truncated', params: { key: null, pages: 2, cause: 7 } } as unknown as DataIssue;
    expect(dataIssueText(nulls, content.wording)).toBe('Only the first 2 page(s) of "" were read (7); older data may be missing.');
  });
});
