/**
 * The evidence view's server side: configuration, content validation, the card's smart link, and the routes
 * (page CSP distinct from the JSON API's, gzip, content-hashed assets, clear errors, nothing logged from URLs).
 * Uses a small stand-in for the built assets; the real bundle is exercised by browser.test.ts.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { loadConfig } from '../../src/config/load';
import { createApp, createRuntime } from '../../src/app';
import { createLogger } from '../../src/log/logger';
import { defaultScopes, evidenceLaunchUrl } from '../../src/config/evidence';
import { loadEvidenceContent, parseEvidenceContent } from '../../src/evidence/content';
import { connectSources } from '../../src/evidence/router';
import { QUERIES } from '../../src/fhir/queries';
import { CardContentError, defaultCardsDir, loadCardContent } from '../../src/render/content';
import { renderCards } from '../../src/render/cards';
import { parseAppContext } from '../../src/render/app-context';
import { buildTestApp, testConfig, memoryLog } from '../support/app';
import { assessment } from '../render/fixtures';
import { fakeEvidenceAssets } from '../support/evidence-assets';

const FHIR = 'https://ehr.example.org/fhir/r4';
const security = {
  publicBaseUrl: 'https://cds.example.org',
  auth: { issuers: [{ iss: 'https://ehr.example.org/', jwks: { jku: ['https://ehr.example.org/jwks.json'] }, fhirServers: [FHIR, 'https://other.example.org/fhir'] }] },
};

describe('configuration', () => {
  it('defaults: on, client id, least-privilege scopes from the query list, no framing', () => {
    const c = testConfig();
    expect(c.evidence).toMatchObject({ enabled: true, clientId: 'hlh-sentinel-evidence', connectSrc: [], frameAncestors: [] });
    // The query list's types, and Medication: the page reads Medication/{id} for medicationReferences, as the service does.
    const types = new Set(['Medication', ...QUERIES.map((q) => (q.kind === 'read' || q.kind === 'search' ? q.resourceType : 'Observation'))]);
    expect(c.evidence.scope.split(' ').sort()).toEqual(['launch', ...[...types].map((t) => `patient/${t}.read`)].sort());
    expect(defaultScopes()).not.toMatch(/\*|write/);
  });
  it('environment: lists, flags, origins validated with the key named', () => {
    const c = loadConfig({ EVIDENCE_CONNECT_SRC: 'https://auth.example.org, https://fhir.demo.org/', EVIDENCE_ENABLED: 'false', EVIDENCE_CLIENT_ID: 'abc' });
    expect(c.evidence).toMatchObject({ connectSrc: ['https://auth.example.org', 'https://fhir.demo.org'], enabled: false, clientId: 'abc' });
    expect(() => loadConfig({ EVIDENCE_CONNECT_SRC: 'https://x.example.org/path' })).toThrow(/evidence\.connectSrc\[0\]: must be an origin/);
    expect(() => loadConfig({ EVIDENCE_FRAME_ANCESTORS: "https://a.example.org 'unsafe-inline'" })).toThrow(/frameAncestors/);
    expect(() => loadConfig({ EVIDENCE_LAUNCH_URL: 'javascript:alert(1)' })).toThrow(/launchUrl/);
  });
  it('the launch URL: explicit, else below the public base URL, else none (no link)', () => {
    const e = testConfig().evidence;
    expect(evidenceLaunchUrl(e, 'https://cds.example.org/')).toBe('https://cds.example.org/evidence/launch');
    expect(evidenceLaunchUrl({ ...e, launchUrl: 'https://apps.example.org/hlh' }, 'https://cds.example.org')).toBe('https://apps.example.org/hlh');
    expect(evidenceLaunchUrl(e, undefined)).toBeUndefined();
    expect(evidenceLaunchUrl({ ...e, enabled: false }, 'https://cds.example.org')).toBeUndefined();
  });
  it('connect-src: the registered EHRs’ FHIR origins and the extra origins, nothing else', () => {
    const c = testConfig({ security, evidence: { connectSrc: ['https://auth.example.org'] } });
    expect(connectSources(c)).toEqual(['https://auth.example.org', 'https://ehr.example.org', 'https://other.example.org']);
    expect(connectSources(testConfig({ security: { auth: { mode: 'disabled-dev' }, fhir: { allowedFhirServersWhenAuthDisabled: ['*', 'http://localhost:8090/fhir'] } } }))).toEqual(['http://localhost:8090']);
  });
});

describe('content: cards/evidence.json', () => {
  it('the shipped file is valid and has a chart for each analyte the issue names', () => {
    const w = loadEvidenceContent();
    expect(w.charts.items.flatMap((c) => c.analytes).sort()).toEqual(
      ['alt', 'anc', 'ast', 'ferritin', 'fibrinogen', 'hemoglobin', 'ldh', 'platelets', 'temperature', 'triglycerides'].sort(),
    );
  });
  it('an invalid copy stops start-up naming the file and the key', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hlh-cards-'));
    for (const f of ['manifest.json', 'wording.json', 'sources.json', 'override-reasons.json', 'workup.json']) copyFileSync(path.join(defaultCardsDir(), f), path.join(dir, f));
    const bad = { ...loadEvidenceContent(), charts: { ...loadEvidenceContent().charts, items: [{ id: 'x', title: 'X', analytes: ['serum-gold'] }] } };
    writeFileSync(path.join(dir, 'evidence.json'), JSON.stringify(bad));
    expect(() => loadEvidenceContent(dir)).toThrow(CardContentError);
    expect(() => loadEvidenceContent(dir)).toThrow(/evidence\.json: charts\.items\[0\]\.analytes\[0\]/);
    expect(() => parseEvidenceContent({ ...loadEvidenceContent(), extra: 1 })).toThrow(/extra/);
    mkdirSync(path.join(dir, 'empty'));
    expect(() => loadEvidenceContent(path.join(dir, 'empty'))).toThrow(/cannot read .*evidence\.json/);
  });
});

describe('the card links to the evidence view', () => {
  const a = assessment({ cls: 'car-t', agent: 'axicabtagene ciloleucel', iec: 'suggestive', ferritin: 24500, hscore: 210 });
  const content = loadCardContent();
  it('a smart link first, with the app context; the sources stay absolute links', () => {
    const [card] = renderCards(a, { patientId: 'p', evidenceLink: { url: 'https://cds.example.org/evidence/launch', label: 'Open the evidence view' } }, content);
    const [first, ...rest] = card!.links!;
    expect(first).toMatchObject({ type: 'smart', url: 'https://cds.example.org/evidence/launch', label: 'Open the evidence view' });
    expect(parseAppContext(first!.appContext)).toMatchObject({ asOf: a.asOf, indicator: card!.indicator, contentVersion: content.contentVersion });
    expect(rest.length).toBeGreaterThan(0);
    expect(rest.every((l) => l.type === 'absolute' && l.appContext === undefined)).toBe(true);
  });
  it('no link without a launch URL', () => {
    const [card] = renderCards(a, { patientId: 'p' }, content);
    expect(card!.links!.some((l) => l.type === 'smart')).toBe(false);
  });
  it('the production runtime links when it knows its public URL', async () => {
    const bundle = JSON.parse(readFileSync(path.resolve(__dirname, '../../examples/patients/iec-hs-axicel.json'), 'utf8')) as unknown;
    const ctx = { patientId: 'iec-hs-axicel', userId: 'Practitioner/1', now: new Date('2026-03-15T12:00:00Z') };
    const withUrl = createRuntime(testConfig({ store: { kind: 'memory' }, security }), createLogger('silent'));
    const without = createRuntime(testConfig({ store: { kind: 'memory' } }), createLogger('silent'));
    const linked = withUrl.evaluator({ resources: [bundle], issues: [], sources: {} }, ctx).cards[0]!;
    expect(linked.links![0]).toMatchObject({ type: 'smart', url: 'https://cds.example.org/evidence/launch', label: loadEvidenceContent().linkLabel });
    const plain = without.evaluator({ resources: [bundle], issues: [], sources: {} }, ctx).cards[0]!;
    expect(plain.indicator).toBe(linked.indicator);
    expect(plain.links!.some((l) => l.type === 'smart')).toBe(false);
    await withUrl.close?.();
    await without.close?.();
  });
});

describe('routes', () => {
  const assetsDir = fakeEvidenceAssets().dir;
  const { app, log } = buildTestApp({ configInput: { security, evidence: { assetsDir, frameAncestors: ['https://ehr.example.org'] } } });

  it('the page: its own CSP (scripts and styles from self, connect to the EHRs’ FHIR servers), no-store, config embedded', async () => {
    const res = await request(app).get('/evidence/launch?iss=https%3A%2F%2Fehr.example.org%2Ffhir%2Fr4&launch=xyz');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    const csp = res.headers['content-security-policy'];
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain('connect-src https://ehr.example.org https://other.example.org');
    expect(csp).toContain('frame-ancestors https://ehr.example.org');
    expect(csp).not.toMatch(/unsafe-(inline|eval)/);
    expect(res.headers['x-frame-options']).toBeUndefined();
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).toContain('<script defer src="assets/evidence-ABC123.js"></script>');
    expect(res.text).toContain('id="hlh-evidence-config"');
    expect(res.text).toContain('"connect":["https://ehr.example.org","https://other.example.org"]');
    expect(res.text).not.toMatch(/<script>/); // no inline script
  });
  it('the JSON API keeps default-src none; the redirect URI serves the same page; a bare /evidence keeps its query', async () => {
    expect((await request(app).get('/healthz')).headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
    expect((await request(app).get('/evidence/?code=abc&state=def')).status).toBe(200);
    const r = await request(app).get('/evidence?code=abc&state=def');
    expect(r.status).toBe(308);
    expect(r.headers.location).toBe('evidence/?code=abc&state=def');
  });
  it('gzip when accepted; assets immutable; unknown asset 404 as an OperationOutcome', async () => {
    const gz = await request(app).get('/evidence/assets/evidence-ABC123.js').set('accept-encoding', 'gzip');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.text).toBe('console.log("evidence")');
    expect(gz.headers['cache-control']).toContain('immutable');
    const plain = await request(app).get('/evidence/assets/evidence-DEF456.css').set('accept-encoding', 'identity');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers['content-type']).toMatch(/^text\/css/);
    const missing = await request(app).get('/evidence/assets/..%2Fmanifest.json');
    expect(missing.status).toBe(404);
    expect(missing.body.resourceType).toBe('OperationOutcome');
  });
  it('never logs the launch or code query', async () => {
    await request(app).get('/evidence/?code=SECRET-CODE-1&state=STATE-2');
    await request(app).get('/evidence/launch?iss=x&launch=LAUNCH-3');
    expect(log.join('\n')).not.toMatch(/SECRET-CODE-1|STATE-2|LAUNCH-3/);
  });
  it('not built: 503 with an OperationOutcome, and one clear log line', async () => {
    const { app: bare, log: lines } = buildTestApp({ configInput: { evidence: { assetsDir: path.join(os.tmpdir(), 'no-such-evidence-build') } } });
    const res = await request(bare).get('/evidence/launch');
    expect(res.status).toBe(503);
    expect(res.body.resourceType).toBe('OperationOutcome');
    await request(bare).get('/evidence/');
    expect(lines.filter((l) => l.includes('evidence view unavailable'))).toHaveLength(1);
    expect(lines.join('\n')).toContain('run npm run build');
  });
  it('disabled: no routes', async () => {
    const { app: off } = buildTestApp({ configInput: { evidence: { enabled: false, assetsDir } } });
    expect((await request(off).get('/evidence/launch')).status).toBe(404);
  });
  it('createApp from createRuntime mounts it too', async () => {
    const captured = memoryLog();
    const config = testConfig({ store: { kind: 'memory' }, security, evidence: { assetsDir } });
    const deps = createRuntime(config, createLogger('info', captured.stream));
    expect((await request(createApp(deps)).get('/evidence/launch')).status).toBe(200);
    await deps.close?.();
  });
});
