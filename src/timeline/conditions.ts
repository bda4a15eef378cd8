/**
 * Condition → findings (knowledge.findings, docs/knowledge.md), matched by code only: exact codes, and the
 * knowledge's code ranges (e.g. ICD-10-CM A00–B99 for infection).
 *
 * verificationStatus `entered-in-error` → skipped with an info issue; `refuted` → kept as a documented
 * negative (`present: false`, which the criteria engine reads as `not-met`); every other status (confirmed,
 * provisional, differential, unconfirmed, none) → present, with `verificationStatus` recorded so the engine
 * can weigh it. Time: onsetDateTime / onsetPeriod.start, else recordedDate; end: abatementDateTime /
 * abatementPeriod.end (else .start).
 */
import { type Acc, rangesOf, readTime } from './context';
import { codingsOf, plainCodes } from './codes';
import { readField } from './fhirpath';

import type { Finding } from './types';
import { isRecord, type Json, str } from './util';
import { dataIssue, type FindingKind } from '../vocabulary';

function dateOf(acc: Acc, type: string | undefined, value: unknown, periodSide: 'start' | 'end'): string | undefined {
  let d: string | undefined;
  if (type === 'dateTime' && typeof value === 'string') d = value;
  else if (type === 'Period' && isRecord(value)) {
    d = str(value[periodSide]) ?? str(value[periodSide === 'start' ? 'end' : 'start']);
  }
  return readTime(acc, d)?.time;
}

export function processCondition(acc: Acc, res: Json, source: string): void {
  const matches = codingsOf(res.code).flatMap((coding) => {
    const key = acc.t.codes.key(coding.system, coding.code);
    const exact = key === undefined ? [] : (acc.t.findingsByCode.get(key) ?? []);
    const ranged = rangesOf(acc.t, coding.system, coding.code).map((r) => ({ kinds: r.kinds, ...(r.detail !== undefined ? { detail: r.detail } : {}) }));
    return [...exact, ...ranged].map((f: { kinds: FindingKind[]; grade?: number; detail?: string }) => ({ f, coding }));
  });
  if (!matches.length) return;

  const verification = plainCodes(res.verificationStatus)[0];
  if (verification === 'entered-in-error') {
    acc.issues.push(dataIssue('info', 'entered-in-error-skipped', { type: 'Condition' }, source));
    return;
  }
  const clinical = plainCodes(res.clinicalStatus)[0];
  let time: string | undefined;
  for (const n of readField(acc, 'conditionOnset', res, source)) time ??= dateOf(acc, n.type, n.value, 'start');
  time ??= readTime(acc, str(res.recordedDate))?.time;
  let end: string | undefined;
  for (const n of readField(acc, 'conditionAbatement', res, source)) end ??= dateOf(acc, n.type, n.value, 'end');

  const text = isRecord(res.code) ? str(res.code.text) : undefined;
  const seen = new Set<string>();
  for (const { f, coding } of matches) {
    for (const kind of f.kinds) {
      if (seen.has(kind)) continue;
      seen.add(kind);
      const finding: Finding = {
        kind,
        present: verification !== 'refuted',
        ...(time !== undefined ? { time } : {}),
        ...(end !== undefined ? { end } : {}),
        ...(clinical !== undefined ? { clinicalStatus: clinical } : {}),
        ...(verification !== undefined ? { verificationStatus: verification } : {}),
        ...(f.grade !== undefined ? { grade: f.grade } : {}),
        ...(f.detail !== undefined ? { detail: f.detail } : {}),
        ...(text !== undefined ? { text } : {}),
        code: coding,
        source,
      };
      acc.findings.push(finding);
    }
  }
}
