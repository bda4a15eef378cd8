/**
 * Data issues: what the data layer (FHIR reading, the timeline, the engine's as-of cut) tells the clinician or the
 * integrator about data it could not use. Producers emit a code and its parameters, never a sentence; the words are
 * content (`dataIssues` and `dataIssueTerms` in cards/wording.json), so a site reviews and translates them, and
 * `npm run typecheck` fails when a code below has no wording in the shipped file (src/render/content.ts).
 *
 * Each code lists the parameters its wording may use; the content loader refuses a template naming any other.
 */

/** Parameters by code: the `{placeholders}` its wording may use. */
export const DATA_ISSUE_PARAMS = {
  // Reading the input
  'input-not-array': [],
  'invalid-resource': [],
  'input-item-not-resource': ['kind'],
  'input-item-empty': [],
  'bundle-too-deep': ['max'],
  'resource-not-processed': ['type', 'reason'],
  'resource-without-id': ['type', 'reference'],
  'invalid-resource-id': ['type', 'reference'],
  'duplicate-resource-differs': ['reference', 'n'],
  'operation-outcome': ['severity', 'code', 'text'],
  'operation-outcome-empty': [],
  'fhirpath-error': ['expression', 'reason'],
  'time-without-zone': ['n', 'zone'],
  // Whose data it is
  'multiple-patients': ['n'],
  'wrong-patient': ['n', 'examples'],
  'subject-unverifiable': ['n', 'patient', 'examples'],
  'subject-missing': ['n', 'examples'],
  // Results
  'entered-in-error-skipped': ['type'],
  'cancelled-skipped': ['type'],
  'status-not-usable': ['type', 'status'],
  'status-missing': ['type'],
  'ambiguous-analyte-code': ['used', 'other'],
  'implausible-value': ['analyte', 'why'],
  'reference-range-not-convertible': ['analyte', 'unit'],
  'correction-identifier-shared': ['status', 'n'],
  'finding-value-uninterpretable': [],
  'values-after-asof-ignored': ['n'],
  // Therapy
  'status-not-exposure': ['type', 'status'],
  'intent-not-exposure': ['intent'],
  'procedure-not-exposure': ['agents', 'step'],
  'medication-unresolved': ['reference'],
  'medication-reference-unresolved': ['n', 'reasons'],
  'exposure-without-date': ['agent', 'class'],
  'infusion-not-documented': ['agent', 'class', 'basis', 'start'],
  'exposure-start-from-order': ['agent', 'class', 'start'],
  // Fetching
  'prefetch-failed': ['key', 'reason'],
  'fetch-truncated': ['key', 'pages', 'cause'],
  'query-failed': ['key', 'reason'],
} as const satisfies Record<string, readonly string[]>;

/** Coded phrases a parameter may hold (why a read stopped, why a value is implausible…), with their own parameters. */
export const DATA_ISSUE_TERM_PARAMS = {
  'no-details': [],
  // Why paging stopped
  'next-link-invalid': [],
  'next-link-other-origin': [],
  'next-link-outside-base': [],
  'next-link-loop': [],
  'page-cap': ['max'],
  // Why medication references stayed unresolved ({n} of them)
  'no-fhir-server': ['n'],
  'fhir-server-not-allowed': ['n'],
  'other-server': ['n'],
  'over-limit': ['n', 'max'],
  'not-readable': ['n'],
  'not-found': ['n'],
  timeout: ['n'],
  failed: ['n'],
  // Where a planned infusion's date came from
  'order-date': [],
  'planned-date': [],
  // Why a value is implausible
  'value-not-finite': [],
  'value-is-string': ['text'],
  'outside-plausible-range': ['value', 'unit', 'limits'],
} as const satisfies Record<string, readonly string[]>;

export type DataIssueCode = keyof typeof DATA_ISSUE_PARAMS;
export type DataIssueTerm = keyof typeof DATA_ISSUE_TERM_PARAMS;
export const DATA_ISSUE_CODES = Object.keys(DATA_ISSUE_PARAMS) as DataIssueCode[];
export const DATA_ISSUE_TERMS = Object.keys(DATA_ISSUE_TERM_PARAMS) as DataIssueTerm[];

type Scalar = string | number;
type TermParams<T extends DataIssueTerm> = { readonly [K in (typeof DATA_ISSUE_TERM_PARAMS)[T][number]]: Scalar };

/** A coded phrase: rendered from `dataIssueTerms[term]` with its own parameters. */
export type TermRef = { [T in DataIssueTerm]: { readonly term: T; readonly params?: TermParams<T> } }[DataIssueTerm];

/** A parameter: data (ids, counts, dates, server text), one coded phrase, or a list of them (joined by the wording). */
export type DataIssueParam = Scalar | TermRef | readonly TermRef[];

export type DataIssueParams<C extends DataIssueCode> = { readonly [K in (typeof DATA_ISSUE_PARAMS)[C][number]]: DataIssueParam };

/** Something the data layer wants the clinician or integrator to know (skipped resources, failed prefetch…). */
export type DataIssue = {
  [C in DataIssueCode]: { severity: 'info' | 'warning'; code: C; params: DataIssueParams<C>; source?: string };
}[DataIssueCode];

/** One data issue; `params` is checked against the code's parameter list at compile time. */
export function dataIssue<C extends DataIssueCode>(severity: DataIssue['severity'], code: C, params: DataIssueParams<C>, source?: string): DataIssue {
  return { severity, code, params, ...(source !== undefined ? { source } : {}) } as DataIssue;
}

/** A coded phrase with its parameters. */
export function term<T extends DataIssueTerm>(t: T, ...params: (typeof DATA_ISSUE_TERM_PARAMS)[T] extends readonly [] ? [] : [TermParams<T>]): TermRef {
  return (params[0] === undefined ? { term: t } : { term: t, params: params[0] }) as TermRef;
}

/** For data issues read back from a file (the offline evidence page): a known code, a severity and parameters. */
export function isDataIssue(x: unknown): x is DataIssue {
  if (typeof x !== 'object' || x === null) return false;
  const i = x as Record<string, unknown>;
  return (i.severity === 'info' || i.severity === 'warning') && Object.hasOwn(DATA_ISSUE_PARAMS, String(i.code)) && typeof i.params === 'object' && i.params !== null;
}
