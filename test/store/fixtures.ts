/** Card and feedback builders plus the known data set whose report numbers the contract asserts. */
import type { CardRecord, FeedbackRecord } from '../../src/store';

export function card(over: Partial<CardRecord> & { cardUuid: string }): CardRecord {
  return {
    serviceId: 'hlh-screen',
    hookInstance: `hook-${over.cardUuid}`,
    createdAt: new Date('2026-01-15T10:00:00Z'),
    indicator: 'critical',
    syndrome: 'iec-hs',
    triggerClass: 'car-t',
    patientKey: 'patient-1',
    knowledgeVersion: '2026.11.0',
    assessment: { url: 'https://example.org/assessment', score: 3 },
    summary: 'Possible IEC-HS: ferritin rising after CAR T',
    suggestions: [
      { uuid: `${over.cardUuid}-s1`, label: 'Order ferritin' },
      { uuid: `${over.cardUuid}-s2`, label: 'Consult hematology' },
    ],
    silenced: false,
    ...over,
  };
}

export function accepted(cardUuid: string, ids: string[], at = '2026-01-16T08:00:00Z'): FeedbackRecord {
  return {
    cardUuid,
    outcome: 'accepted',
    acceptedSuggestionIds: ids,
    overrideReason: null,
    userComment: null,
    outcomeTimestamp: new Date(at),
    receivedAt: new Date('2026-01-16T08:00:05Z'),
  };
}

export function overridden(cardUuid: string, code: string | null, at = '2026-01-16T09:00:00Z'): FeedbackRecord {
  return {
    cardUuid,
    outcome: 'overridden',
    acceptedSuggestionIds: [],
    overrideReason: code
      ? { system: 'https://hlh-sentinel.example/override-reason', code, display: `Reason ${code}` }
      : null,
    userComment: code ? 'clinician comment' : null,
    outcomeTimestamp: new Date(at),
    receivedAt: new Date('2026-01-16T09:00:05Z'),
  };
}

/**
 * The known data set:
 * - iec-hs / car-t / critical (January 2026): A1–A4 shown, A5 silenced; feedback A1 accepted [s1] (sent twice),
 *   A2 accepted [s1, s2], A3 overridden `not-relevant`, A4 overridden without reason.
 * - iec-hs / car-t / info (January 2026): B1 shown, B2–B3 silenced; B1 overridden `already-aware` twice
 *   (different outcome timestamps).
 * - treatment-related-hlh / no trigger / warning (December 2025): C1–C3 shown; C1 accepted [s2],
 *   C2 and C3 overridden `not-relevant`.
 * - one feedback item for a card that was never logged, received 2026-01-20.
 */
export function knownDataSet(): { cards: CardRecord[]; feedback: FeedbackRecord[] } {
  const A = ['A1', 'A2', 'A3', 'A4', 'A5'].map((id, i) => card({ cardUuid: id, silenced: i === 4 }));
  const B = ['B1', 'B2', 'B3'].map((id, i) => card({ cardUuid: id, indicator: 'info', silenced: i > 0 }));
  const C = ['C1', 'C2', 'C3'].map((id) =>
    card({
      cardUuid: id,
      indicator: 'warning',
      syndrome: 'treatment-related-hlh',
      triggerClass: null,
      createdAt: new Date('2025-12-15T12:00:00Z'),
    }),
  );
  const unknown: FeedbackRecord = {
    ...accepted('ZZ-unknown', ['ZZ-s1']),
    receivedAt: new Date('2026-01-20T00:00:00Z'),
  };
  return {
    cards: [...A, ...B, ...C],
    feedback: [
      accepted('A1', ['A1-s1']),
      accepted('A1', ['A1-s1']),
      accepted('A2', ['A2-s1', 'A2-s2']),
      overridden('A3', 'not-relevant'),
      overridden('A4', null),
      overridden('B1', 'already-aware', '2026-01-16T09:00:00Z'),
      overridden('B1', 'already-aware', '2026-01-17T09:00:00Z'),
      accepted('C1', ['C1-s2'], '2025-12-16T08:00:00Z'),
      overridden('C2', 'not-relevant', '2025-12-16T09:00:00Z'),
      overridden('C3', 'not-relevant', '2025-12-16T10:00:00Z'),
      unknown,
    ],
  };
}

/** The report CLI's CSV for the known data set, January 2026. */
export const EXPECTED_JANUARY_CSV =
  'syndrome,trigger_class,indicator,cards_shown,cards_silenced,feedback,accepted,accepted_pct,overridden,overridden_pct,override_reasons,accepted_suggestions\r\n' +
  'iec-hs,car-t,critical,4,1,4,2,50.0,2,50.0,"not-relevant ""Reason not-relevant"": 1 (25.0%); (no reason): 1 (25.0%)",Order ferritin: 2; Consult hematology: 1\r\n' +
  'iec-hs,car-t,info,1,2,2,0,0.0,2,100.0,"already-aware ""Reason already-aware"": 2 (100.0%)",\r\n';
