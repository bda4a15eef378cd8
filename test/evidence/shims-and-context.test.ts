/**
 * Browser paths of Node-only code, and the card ↔ evidence view contract:
 * - the SHA-1 shim the page uses for `node:crypto` gives the same digests as Node (anonymous resource ids and
 *   the assessment digest must match the service's);
 * - the smart link's appContext round-trips, and anything else is refused rather than trusted.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { createHash as shimHash, randomUUID } from '../../src/evidence/web/shims/crypto';
import { APP_CONTEXT_VERSION, assessmentDigest, buildAppContext, parseAppContext } from '../../src/render/app-context';
import { assessment } from '../render/fixtures';

describe('node:crypto shim (browser)', () => {
  it('SHA-1 equals Node for any text, including non-ASCII and block boundaries', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ maxLength: 70 }), (a, b) => {
        expect(shimHash('sha1').update(a).update(b).digest('hex')).toBe(createHash('sha1').update(a).update(b).digest('hex'));
      }),
      { numRuns: 300, seed: 14 },
    );
    for (const n of [0, 55, 56, 63, 64, 65, 119, 120, 1000]) {
      const s = 'x'.repeat(n);
      expect(shimHash('sha1').update(s).digest('hex')).toBe(createHash('sha1').update(s).digest('hex'));
    }
  });
  it('refuses what it does not implement', () => {
    expect(() => shimHash('sha256')).toThrow(/only sha1/);
    expect(() => shimHash('sha1').update('x').digest('base64' as 'hex')).toThrow(/only hex/);
    expect(randomUUID()).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('appContext of the smart link', () => {
  const a = assessment({ cls: 'car-t', agent: 'axicabtagene ciloleucel', iec: 'suggestive', ferritin: 24500 });
  it('carries asOf, the versions, the indicator and the digest; parses back', () => {
    const raw = buildAppContext(a, 'critical', '2026.11.0');
    expect(raw.length).toBeLessThan(400);
    expect(parseAppContext(raw)).toEqual({
      v: APP_CONTEXT_VERSION,
      asOf: a.asOf,
      assessmentVersion: a.version,
      knowledgeVersion: a.knowledge.version,
      contentVersion: '2026.11.0',
      indicator: 'critical',
      digest: assessmentDigest(a),
    });
  });
  it('no patient data in it', () => {
    const raw = buildAppContext({ ...a, patientId: 'pat-secret-1' }, 'critical', '1');
    expect(raw).not.toContain('pat-secret-1');
    expect(raw).not.toContain('24500');
  });
  it('the digest follows the clinical result, not data-issue notes', () => {
    expect(assessmentDigest({ ...a, dataIssues: [{ severity: 'info', code: 'values-after-asof-ignored', params: { n: 1 } }] })).toBe(assessmentDigest(a));
    expect(assessmentDigest({ ...a, hscore: { ...a.hscore, score: a.hscore.score + 1 } })).not.toBe(assessmentDigest(a));
    expect(assessmentDigest({ ...a, asOf: '2026-01-01T00:00:00Z' })).not.toBe(assessmentDigest(a));
  });
  it.each([
    ['not JSON', 'asOf=2026'],
    ['another version', JSON.stringify({ ...JSON.parse(buildAppContext(a, 'info', '1')), v: 2 })],
    ['bad asOf', JSON.stringify({ ...JSON.parse(buildAppContext(a, 'info', '1')), asOf: 'yesterday' })],
    ['bad indicator', JSON.stringify({ ...JSON.parse(buildAppContext(a, 'info', '1')), indicator: 'urgent' })],
    ['missing digest', JSON.stringify({ ...JSON.parse(buildAppContext(a, 'info', '1')), digest: undefined })],
    ['not a string or object', 42],
    ['absent', undefined],
  ])('refuses %s', (_n, raw) => {
    expect(parseAppContext(raw)).toBeUndefined();
  });
});
