/**
 * Alternative explanations ([design]): an infection or disease progression counts when
 * present (not refuted), active (clinicalStatus active, recurrence or relapse; without a status: not abated by
 * asOf) and onset or recorded within the finding lookback (90 days); undated ones are shown as undated.
 */
import { assess } from '../../src/criteria';
import { ASOF, K, dAgo, finding, timeline } from './helpers';

const shown = (...f: ReturnType<typeof finding>[]) => assess(timeline({ findings: f }), ASOF, K).alternatives.map((a) => a.source);

describe('which documented infections are shown', () => {
  it.each([
    ['active, 10 days ago', { clinicalStatus: 'active', time: dAgo(10) }, true],
    ['recurrence', { clinicalStatus: 'recurrence', time: dAgo(10) }, true],
    ['relapse', { clinicalStatus: 'relapse', time: dAgo(10) }, true],
    ['resolved', { clinicalStatus: 'resolved', time: dAgo(10) }, false],
    ['inactive', { clinicalStatus: 'inactive', time: dAgo(10) }, false],
    ['remission', { clinicalStatus: 'remission', time: dAgo(10) }, false],
    ['active, onset on the first day of the 90-day lookback', { clinicalStatus: 'active', time: dAgo(90) }, true],
    ['active, onset the day before the lookback', { clinicalStatus: 'active', time: dAgo(90.001) }, false],
    ['no status, not abated', { time: dAgo(3) }, true],
    ['no status, abated before asOf', { time: dAgo(20), end: dAgo(2) }, false],
    ['no status, abatement after asOf', { time: dAgo(20), end: dAgo(-2) }, true],
    ['active, undated', { clinicalStatus: 'active' }, true],
    ['dated after asOf', { clinicalStatus: 'active', time: dAgo(-1) }, false],
  ])('%s → %s', (_label, o, expected) => {
    expect(shown(finding('infection', true, { ...o, source: 'Condition/x' }))).toEqual(expected ? ['Condition/x'] : []);
  });

  it('refuted is not shown; progression follows the same rule; each carries its code, text and time', () => {
    expect(shown(finding('infection', false, { clinicalStatus: 'active', time: dAgo(2) }))).toEqual([]);
    const a = assess(
      timeline({ findings: [finding('disease-progression', true, { clinicalStatus: 'active', time: dAgo(5), text: 'DLBCL progression', source: 'Condition/pd' })] }),
      ASOF,
      K,
    ).alternatives;
    expect(a).toEqual([{ kind: 'disease-progression', source: 'Condition/pd', code: { system: 'urn:test', code: 'disease-progression' }, time: dAgo(5), text: 'DLBCL progression' }]);
  });
});
