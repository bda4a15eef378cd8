/**
 * A data issue in words: the code's sentence from the card wording (`dataIssues`), its parameters filled in, coded
 * phrases (`dataIssueTerms`) rendered with their own parameters. Two parameter names are shown as the card shows
 * them everywhere: `class` (an exposure class) by its label, `unit` (UCUM) in display form. Plain text: callers
 * escape for Markdown.
 */
import type { DataIssue, DataIssueParam, TermRef } from '../vocabulary';
import type { CardContent } from './content';
import { fill, formatUnit } from './format';

type Wording = Pick<CardContent['wording'], 'dataIssues' | 'dataIssueTerms' | 'exposureClassLabels'>;

// Issues come from this service's own producers, or back from an offline page's file: an unknown term or code
// shows as itself rather than failing the page.
function termText(t: TermRef, w: Wording): string {
  return fill(w.dataIssueTerms[t.term] ?? String(t.term), t.params === undefined ? {} : shown(t.params, w));
}

function scalarText(name: string, v: string | number, w: Wording): string {
  if (name === 'class') return (w.exposureClassLabels as Record<string, string>)[String(v)] ?? String(v);
  if (name === 'unit') return formatUnit(String(v));
  return String(v);
}

function shown(params: Readonly<Record<string, DataIssueParam>>, w: Wording): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params ?? {})) out[k] = paramText(k, v, w);
  return out;
}

function paramText(name: string, v: DataIssueParam, w: Wording): string {
  if (typeof v === 'string' || typeof v === 'number') return scalarText(name, v, w);
  if (typeof v !== 'object' || v === null) return '';
  if (Array.isArray(v)) return (v as readonly TermRef[]).map((t) => termText(t, w)).join('; ');
  return termText(v as TermRef, w);
}

export function dataIssueText(issue: DataIssue, w: Wording): string {
  return fill(w.dataIssues[issue.code] ?? String(issue.code), shown(issue.params, w));
}
