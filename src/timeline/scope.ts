/**
 * Patient scoping: which resources are about the patient in context.
 *
 * A clinical resource is used only when its subject (or `patient`) reference provably denotes the context
 * patient (FHIR R4 §2.3.0 References, "Literal references"):
 * - relative `Patient/{id}`, optionally `/_history/{version}`;
 * - absolute `http(s)://…/Patient/{id}`, optionally `/_history/{version}`, with no query or fragment;
 * - a `urn:uuid:` (or other Bundle fullUrl) that resolves to exactly one Bundle entry, that Patient.
 * A reference that provably denotes someone or something else (another Patient, a Group, a Device…) is
 * `other`; anything that cannot be read as one of the forms above (`Patient/B/`, `patient/B`, `Patient/B?x=y`,
 * `#contained`, identifier-only, an unresolvable urn:uuid, a plain string, an array, a `type` that is not
 * Patient) is `unverifiable`; no subject at all is `none`. Only `ours` is kept: a screen that mixes in another
 * patient's ferritin is worse than one that misses a value, and a resource without a subject cannot be shown
 * to be this patient's (prefetch queries are patient-scoped, but a FHIR server or an interface engine can still
 * send one). Each excluded kind becomes one aggregated data issue with a count and a few example resources.
 */
import type { Entry, RefIndex } from './ingest';
import type { DataIssue } from './types';
import { isRecord, str } from './util';
import { dataIssue, type DataIssueCode } from '../vocabulary';

export type SubjectVerdict = 'ours' | 'other' | 'unverifiable' | 'none';

const ID = '[A-Za-z0-9\\-.]{1,256}';
const HISTORY = `(?:/_history/${ID})?`;
/** `Type/id[/_history/v]`, relative. */
const RELATIVE = new RegExp(`^([A-Z][A-Za-z]{1,63})/(${ID})${HISTORY}$`);
/** `http(s)://host[/path]/Type/id[/_history/v]`: no whitespace, query or fragment anywhere. */
const ABSOLUTE = new RegExp(`^https?://[^/?#\\s]+(?:/[^?#\\s]*)?/([A-Z][A-Za-z]{1,63})/(${ID})${HISTORY}$`);

/** The verdict for one reference text (the cacheable part: no `type`, no identifier). */
function referenceVerdict(text: string, index: RefIndex, target: string): Exclude<SubjectVerdict, 'none'> {
  // Relative `Type/id`: the text decides (no index lookup: it would build the fullUrl map for nothing).
  const rel = RELATIVE.exec(text);
  if (rel !== null) return rel[1] === 'Patient' && rel[2] === target ? 'ours' : 'other';
  const abs = ABSOLUTE.exec(text);
  // A fullUrl in the input (urn:uuid, or an absolute URL) names the entry itself: that decides, when unique.
  const entry = index.get(text);
  if (entry !== undefined) {
    if (index.isAmbiguous(text)) return 'unverifiable';
    if (abs !== null && (abs[1] !== entry.type || abs[2] !== entry.id)) return 'unverifiable'; // URL text and entry disagree
    return entry.type === 'Patient' && entry.id === target ? 'ours' : 'other';
  }
  if (abs === null) return 'unverifiable';
  return abs[1] === 'Patient' && abs[2] === target ? 'ours' : 'other';
}

const ISSUE = { other: 'wrong-patient', unverifiable: 'subject-unverifiable', none: 'subject-missing' } as const satisfies Record<
  Exclude<SubjectVerdict, 'ours'>,
  DataIssueCode
>;

const EXAMPLES = 3;

/** Per call: classifies each resource's subject once per distinct reference text, and counts what it excludes. */
export class PatientScope {
  private readonly verdicts = new Map<string, Exclude<SubjectVerdict, 'none'>>();
  private lastText: unknown;
  private lastVerdict: Exclude<SubjectVerdict, 'none'> = 'unverifiable';
  private readonly excluded: Record<Exclude<SubjectVerdict, 'ours'>, string[]> = { other: [], unverifiable: [], none: [] };

  constructor(
    private readonly index: RefIndex,
    readonly target: string,
  ) {}

  verdict(subject: unknown): SubjectVerdict {
    if (subject === undefined || subject === null) return 'none';
    if (!isRecord(subject)) return 'unverifiable'; // a plain string, an array, a number…
    const type = subject.type;
    if (type !== undefined && type !== 'Patient') return 'unverifiable';
    const raw = subject.reference;
    // Most resources share one subject: the same reference text as the previous one is decided already.
    if (raw === this.lastText && typeof raw === 'string') return this.lastVerdict;
    const text = str(raw);
    if (text === undefined) return 'unverifiable'; // identifier-only, display-only, or not a string
    let v = this.verdicts.get(text);
    if (v === undefined) this.verdicts.set(text, (v = referenceVerdict(text, this.index, this.target)));
    this.lastText = raw;
    this.lastVerdict = v;
    return v;
  }

  /** True when the resource may be used; otherwise it is counted for the aggregated issue. */
  keep(e: Entry, subject: unknown): boolean {
    const v = this.verdict(subject);
    if (v === 'ours') return true;
    this.excluded[v].push(e.key);
    return false;
  }

  /** Counts another Patient resource in the input (never used). */
  otherPatient(e: Entry): void {
    this.excluded.other.push(e.key);
  }

  /** One issue per excluded kind: the count and the first few resources (sorted, so input order never shows). */
  report(issues: DataIssue[]): void {
    for (const kind of ['other', 'unverifiable', 'none'] as const) {
      const keys = this.excluded[kind];
      if (!keys.length) continue;
      const examples = [...new Set(keys)].sort().slice(0, EXAMPLES);
      const more = keys.length > examples.length ? ', …' : '';
      const params = { n: keys.length, patient: `Patient/${this.target}`, examples: `${examples.join(', ')}${more}` };
      issues.push(dataIssue('warning', ISSUE[kind], params, examples[0] as string));
    }
  }
}
