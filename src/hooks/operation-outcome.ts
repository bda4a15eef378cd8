/**
 * The FHIR OperationOutcome every error answer of the service carries (CDS Hooks 2.0 leaves the error body to the
 * service; FHIR clients read this one), built and sent. Every shell folder that answers HTTP requests (security,
 * evidence, metrics, the hook routes) sends its refusals through `sendError`, so they all look alike.
 */
import type { Response } from 'express';
import type { OperationOutcome, OperationOutcomeIssue } from 'fhir/r4';
import type { z } from 'zod';
import { issuePath } from '../vocabulary';

export type IssueCode = OperationOutcomeIssue['code'];

export function operationOutcome(
  issues: Array<{ code: IssueCode; diagnostics: string; expression?: string; severity?: OperationOutcomeIssue['severity'] }>,
): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: issues.map((i) => ({
      severity: i.severity ?? 'error',
      code: i.code,
      diagnostics: i.diagnostics,
      ...(i.expression ? { expression: [i.expression] } : {}),
    })),
  };
}

/** One OperationOutcome issue per zod issue, each naming the offending field. */
export function outcomeFromZod(error: z.ZodError, prefix = ''): OperationOutcome {
  return operationOutcome(
    error.issues.slice(0, 20).map((i) => {
      const path = issuePath(i.path);
      const field = prefix + path;
      return { code: 'invalid', diagnostics: field ? `${field}: ${i.message}` : i.message, ...(field ? { expression: field } : {}) };
    }),
  );
}

export function sendOutcome(res: Response, status: number, outcome: OperationOutcome): void {
  res.status(status).type('application/fhir+json').json(outcome);
}

export function sendError(res: Response, status: number, code: IssueCode, diagnostics: string, expression?: string): void {
  sendOutcome(res, status, operationOutcome([{ code, diagnostics, ...(expression ? { expression } : {}) }]));
}
