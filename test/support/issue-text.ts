/** A data issue as the shipped card wording says it: tests read issues the way a clinician does. */
import { loadCardContent } from '../../src/render/content';
import { dataIssueText } from '../../src/render/data-issue-text';
import type { DataIssue } from '../../src/vocabulary';

const wording = loadCardContent().wording;

export function issueText(issue: DataIssue): string {
  return dataIssueText(issue, wording);
}

/** The issue with its sentence as `message`, for assertions on what the card says. */
export function withText<I extends DataIssue>(issue: I): I & { message: string } {
  return { ...issue, message: issueText(issue) };
}
