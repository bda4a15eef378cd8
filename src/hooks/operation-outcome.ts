import type { OperationOutcome, OperationOutcomeIssue } from 'fhir/r4';
import type { z } from 'zod';
import { issuePath } from './common';

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
