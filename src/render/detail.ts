/**
 * The card's detail (Markdown), in the order a clinician reads it: disclaimer, what triggered the screen, the
 * ASTCT IEC-HS features, HLH-2004, HScore, OHI, trends, alternatives, missing work-up, what to consider, data
 * issues and provenance (the sources are the card's links). Wording comes from cards/wording.json.
 */
import type { Assessment, CriterionItem } from '../criteria/types';
import { HLH2004_ITEM_IDS } from '../criteria/types';
import type { CardContent } from './content';
import { fill, formatTime } from './format';
import { escapeMarkdown as esc, table } from './markdown';
import type { WorkupPlan } from './workup';
import { agentsText, combinationOf, dayText, exposureNotes } from './exposure-text';
import { itemLabel } from './criterion-items';
import { alternativeLines, diagnosisHistory, matchedByText, pediatricNote, trendLines, workupLines } from './detail-notes';
import { criteriaHeader, criteriaRows, hscoreSection, unusableNote, withNote } from './detail-tables';
import type { IndicatorDecision } from './indicator';
import { classInParens, withoutResourceIds } from './clinical-text';
import { dataIssueText } from './data-issue-text';

export function renderDetail(a: Assessment, d: IndicatorDecision, plan: WorkupPlan, content: CardContent, lamotrigine: boolean): string {
  const w = content.wording;
  const e = d.exposure;
  const note = unusableNote(a, content);
  const blocks: string[] = [w.detail.disclaimer];
  const classLabel = w.exposureClassLabels[e.class];
  const combination = combinationOf(a, d.episode, e);
  const vars = {
    agent: esc(agentsText(combination, content, false)),
    class: classLabel,
    classInParens: classInParens(agentsText(combination, content, false), classLabel),
    dayText: dayText(combination, w, (s) => esc(s)),
    matchedBy: matchedByText(combination, content),
    astct: a.iecHs
      ? (w.detail.astctStatusReason?.[a.iecHs.statusReason] ?? w.detail.astctStatus[a.iecHs.status])
      : e.day0 === undefined
        ? (w.detail.astctStatusReason?.['no-day0'] ?? w.detail.astctStatus['not-evaluable'])
        : w.detail.astctStatus['not-evaluable'],
  };
  blocks.push([fill(d.kind === 'iec' ? w.detail.intro.iec : w.detail.intro.drug, vars), ...exposureNotes(a, d.episode, combination, content)].join('\n\n'));

  const header = criteriaHeader(w);
  if (a.iecHs) {
    const crs = w.detail.crsRelation[a.iecHs.crsRelation];
    const assessed = a.iecHs.mayBePresent.filter((f) => f.state !== 'unknown');
    const notAssessed = a.iecHs.mayBePresent.filter((f) => f.state === 'unknown');
    const items = notAssessed.map((f) => withNote(itemLabel(w.items, 'iecHs', f), f, note)).join('; ');
    blocks.push(
      [
        `#### ${fill(w.detail.headings.astct, { status: esc(a.iecHs.status) })}`,
        ...(crs ? [crs] : []),
        table(header, [...criteriaRows(a.iecHs.features, 'iecHs', w, note), ...criteriaRows(assessed, 'iecHs', w, note, ` ${w.detail.mayBePresent}`)]),
        ...(notAssessed.length ? [fill(w.detail.notAssessable, { items })] : []),
        w.detail.grade,
      ].join('\n\n'),
    );
  }

  const h = a.hlh2004;
  const ordered = HLH2004_ITEM_IDS.map((id) => h.items.find((i) => i.id === id)).filter((i): i is CriterionItem => Boolean(i));
  const diagnosis = h.documentedDiagnosis.length ? ` ${w.detail.hlh2004Diagnosis}` : '';
  const heading = fill(w.detail.headings.hlh2004, { met: h.met, unknown: h.unknown, total: h.total, required: h.required, status: w.detail.hlh2004Status[h.status], diagnosis });
  blocks.push([`#### ${heading}`, ...diagnosisHistory(a, content), table(header, criteriaRows(ordered, 'hlh2004', w, note))].join('\n\n'));

  const notes = pediatricNote(a, content);
  if (notes.length) blocks.push(notes.join('\n'));

  blocks.push(hscoreSection(a, w, note).join('\n'));
  blocks.push(`#### ${fill(w.detail.headings.ohi, { state: w.detail.ohiState[a.ohi.state] })}\n\n${esc(w.detail.ohiCaveat, 300)}`);

  const trends = trendLines(a, content);
  const div = a.trends.crsDivergence.state;
  if (trends.length || a.iecHs) {
    blocks.push([`#### ${w.detail.headings.trend}`, ...trends, ...(a.iecHs ? [`- ${w.detail.crsDivergence[div]}`] : [])].join('\n'));
  }

  if (a.alternatives.length) blocks.push(alternativeLines(a, content).join('\n'));

  const wl = workupLines(a, plan, content);
  if (wl.length) blocks.push([`#### ${w.detail.headings.missing}`, ...wl].join('\n'));

  if (d.indicator !== 'info') blocks.push(d.kind === 'iec' ? w.detail.consider.iec : w.detail.consider.drug);
  if (lamotrigine) blocks.push(w.lamotrigine.detail);

  if (a.dataIssues.length) {
    // The stable issue code stays (it names the kind of problem for the site IT); resource ids do not.
    const l = w.dataIssueList;
    const line = (i: (typeof a.dataIssues)[number]) =>
      `- ${fill(l.line, { severity: l.severity[i.severity], code: esc(i.code, 60), text: esc(withoutResourceIds(dataIssueText(i, w), content)) })}`;
    const issues = a.dataIssues.slice(0, 20).map(line);
    if (a.dataIssues.length > 20) issues.push(`- ${fill(l.more, { n: a.dataIssues.length - 20 })}`);
    blocks.push([`#### ${l.heading}`, ...issues].join('\n'));
  }

  const k = a.knowledge;
  const prov = k.overrides.length
    ? fill(w.detail.provenanceOverrides, { version: esc(k.version), paths: k.overrides.map((p) => esc(p)).join(', ') })
    : fill(w.detail.provenanceDefaults, { version: esc(k.version) });
  const contentLine = fill(w.detail.provenanceContent, { version: esc(content.contentVersion), asOf: esc(formatTime(a.asOf)) });
  blocks.push([`#### ${w.detail.headings.provenance}`, `${prov} ${contentLine} ${w.detail.statusNote}`].join('\n\n'));

  // Sources are the card's links, not repeated here.
  return blocks.join('\n\n');
}

export function citedSources(d: IndicatorDecision, content: CardContent, lamotrigine: boolean) {
  const syndrome = d.exposure.syndrome;
  const ids = [...content.sources.cite[syndrome], ...(lamotrigine ? content.sources.cite.lamotrigine : [])];
  return [...new Set(ids)].map((id) => content.sources.sources[id]!).filter(Boolean);
}
