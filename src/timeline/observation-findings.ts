/**
 * Findings an Observation carries (hemophagocytosis on marrow, low NK-cell activity…): by its code, present or
 * absent by its boolean or coded value, or by a coded value that is itself a finding code.
 */
import type { Acc } from './context';
import { codingsOf } from './codes';
import type { Finding } from './types';
import { arr, isRecord, type Json } from './util';
import { type Coding, dataIssue } from '../vocabulary';
import { dataAbsent, type ObsTime } from './observation-values';

/** A qualitative result by Observation.interpretation (positive / detected, negative / not detected), if configured. */
function interpreted(acc: Acc, res: Json): boolean | undefined {
  const keys = arr(res.interpretation).flatMap((i) => codingsOf(i)).map((c) => acc.t.codes.key(c.system, c.code));
  if (keys.some((k) => k !== undefined && acc.t.negativeValues.has(k))) return false;
  if (keys.some((k) => k !== undefined && acc.t.positiveValues.has(k))) return true;
  return undefined;
}

/** A qualitative valueString ("DETECTED", "Not detected") by the configured texts (whole text, any case). */
function textResult(acc: Acc, text: string): boolean | undefined {
  const t = text.trim().toLowerCase();
  return acc.t.negativeTexts.has(t) ? false : acc.t.positiveTexts.has(t) ? true : undefined;
}

/** Finding rows an Observation carries: by its code (value = present/absent) or by a coded value. */
export function observationFindings(acc: Acc, res: Json, codings: Coding[], when: ObsTime | undefined, source: string): void {
  const byCode = codings.flatMap((c) => {
    const key = acc.t.codes.key(c.system, c.code);
    return (key === undefined ? [] : (acc.t.findingsByCode.get(key) ?? [])).map((f) => ({ f, coding: c }));
  });
  const valueConcept = res.valueCodeableConcept;
  const valueCodings = codingsOf(valueConcept);
  const byValue = byCode.length
    ? []
    : valueCodings.flatMap((c) => {
        const key = acc.t.codes.key(c.system, c.code);
        return (key === undefined ? [] : (acc.t.findingsByCode.get(key) ?? [])).map((f) => ({ f, coding: c }));
      });
  if (!byCode.length && !byValue.length) return;

  let present: boolean | undefined = true;
  if (byCode.length) {
    if (typeof res.valueBoolean === 'boolean') present = res.valueBoolean;
    else if (isRecord(valueConcept)) {
      const keys = valueCodings.map((c) => acc.t.codes.key(c.system, c.code));
      if (keys.some((k) => k !== undefined && acc.t.negativeValues.has(k))) present = false;
      else if (keys.some((k) => k !== undefined && (acc.t.positiveValues.has(k) || acc.t.findingsByCode.has(k)))) present = true;
      else present = interpreted(acc, res);
    } else if (typeof res.valueString === 'string' && textResult(acc, res.valueString) !== undefined) present = textResult(acc, res.valueString);
    else if (interpreted(acc, res) !== undefined) present = interpreted(acc, res);
    else if (dataAbsent(res) !== undefined) present = undefined;
    else if (Object.keys(res).some((k) => k.startsWith('value'))) present = undefined;
    // No value at all: the Observation itself asserts the finding.
  }
  if (present === undefined) {
    acc.issues.push(dataIssue('info', 'finding-value-uninterpretable', {}, source));
    return;
  }
  const seen = new Set<string>();
  for (const { f, coding } of [...byCode, ...byValue]) {
    for (const kind of f.kinds) {
      if (seen.has(kind)) continue;
      seen.add(kind);
      const finding: Finding = {
        kind,
        present,
        ...(when ? { time: when.time } : {}),
        ...(f.grade !== undefined ? { grade: f.grade } : {}),
        ...(f.detail !== undefined ? { detail: f.detail } : {}),
        code: coding,
        source,
      };
      acc.findings.push(finding);
    }
  }
}
