/**
 * A data issue in words: the code's sentence from the card wording (`dataIssues`), its parameters filled in, coded
 * phrases (`dataIssueTerms`) rendered with their own parameters. Plain text: callers escape for Markdown.
 */
import type { DataIssue, DataIssueParam, TermRef } from '../vocabulary';
import type { CardContent } from './content';
import { fill } from './format';

type Wording = Pick<CardContent['wording'], 'dataIssues' | 'dataIssueTerms'>;

// Issues come from this service's own producers, or back from an offline page's file: an unknown term or code
// shows as itself rather than failing the page.
function termText(t: TermRef, w: Wording): string {
  return fill(w.dataIssueTerms[t.term] ?? String(t.term), t.params ?? {});
}

function paramText(v: DataIssueParam, w: Wording): string {
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  if (typeof v !== 'object' || v === null) return '';
  if (Array.isArray(v)) return (v as readonly TermRef[]).map((t) => termText(t, w)).join('; ');
  return termText(v as TermRef, w);
}

export function dataIssueText(issue: DataIssue, w: Wording): string {
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(issue.params ?? {}) as [string, DataIssueParam][]) params[k] = paramText(v, w);
  return fill(w.dataIssues[issue.code] ?? String(issue.code), params);
}
