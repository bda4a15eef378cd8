/**
 * The evidence view in real browsers (Debian Chromium via playwright-core; Firefox ESR via puppeteer-core over
 * WebDriver BiDi). A mock SMART EHR (test/support/smart-ehr.ts: Medplum FHIR server + authorize/token endpoints)
 * holds the example patients; the production runtime serves the hook and the page.
 *
 * - EHR launch from a real card: call the hook, take the card's smart link, add iss and launch, follow the
 *   OAuth2 authorization-code flow with PKCE; the page reads the patient's data with the user's token and shows
 *   the card's assessment (same digest as the card's appContext), the charts, tables and versions.
 * - Standalone (?iss&patient&asOf) for every example patient: the same digest as the engine computes in Node;
 *   screenshots to artifacts/screenshots/.
 * - Budgets: page transfer ≤ 600 KB gzipped; first render of a 1,000-Observation patient ≤ 1 s.
 * - Keyboard, hover, 1024 px, print; Firefox.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Bundle } from '@medplum/fhirtypes';
import { configSchema } from '../../src/config/schema';
import { createApp, createRuntime, type AppDeps } from '../../src/app';
import { createLogger } from '../../src/log/logger';
import { entriesOf, toPrefetch } from '../../src/cli/evaluate';
import { buildEvidenceAssets } from '../../src/evidence/build';
import { loadEvidenceAssets } from '../../src/evidence/assets';
import { loadEvidenceContent } from '../../src/evidence/content';
import { offlineEvidenceHtml } from '../../src/evidence/offline';
import { pageConfig } from '../../src/evidence/page';
import { evidenceView, type EvidenceView } from '../../src/evidence/view';
import { defaultKnowledge } from '../../src/knowledge';
import { parseAppContext } from '../../src/render/app-context';
import { loadCardContent } from '../../src/render/content';
import type { Card } from '../../src/hooks/response';
import { generateHookRequest } from '../../bench/generate';
import { memoryLog } from '../support/app';
import { mintToken, testKey, TEST_ISS, type TestKey } from '../support/jwt';
import { launchChromium, launchFirefox, SCREENSHOTS } from '../support/browser';
import { startSmartEhr, type SmartEhr } from '../support/smart-ehr';

jest.setTimeout(60_000);

const EXAMPLES = path.resolve(__dirname, '../../examples/patients');
const IDS = ['iec-hs-axicel', 'ici-hlh-pembrolizumab', 'lamotrigine-hlh', 'crs-no-iec-hs', 'isolated-hyperferritinemia', 'no-exposure'];
const AS_OF = '2026-03-15T12:00:00Z';
const CLIENT_ID = 'hlh-sentinel-evidence';

let assetsDir: string;
let server: http.Server;
let base: string;
let ehr: SmartEhr;
let deps: AppDeps;
let log: string[];
let key: TestKey;
let browser: Browser;

const resourcesOf = (id: string) => entriesOf(JSON.parse(readFileSync(path.join(EXAMPLES, `${id}.json`), 'utf8'))) as Array<Record<string, unknown>>;

/** What the engine computes in Node for the same patient (the page must show the same). */
function expectedView(id: string, resources: unknown[] = resourcesOf(id), asOf = AS_OF): EvidenceView {
  const config = pageConfig({ knowledge: defaultKnowledge, cards: loadCardContent(), evidence: loadEvidenceContent(), queries: {}, maxPages: 5, smart: { clientId: CLIENT_ID, scope: 'launch' } });
  return evidenceView(config, { mode: 'offline', server: '', patientId: id, resources, issues: [], asOf, asOfFrom: 'file' }).view;
}

async function listen(s: http.Server): Promise<string> {
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  assetsDir = mkdtempSync(path.join(os.tmpdir(), 'hlh-evidence-assets-'));
  const built = buildEvidenceAssets(assetsDir);
  server = http.createServer();
  base = await listen(server);
  ehr = await startSmartEhr({ clientId: CLIENT_ID, redirectUri: `${base}/evidence/` });
  for (const id of IDS) {
    const entry = resourcesOf(id).map((r) => ({ resource: r, request: { method: 'PUT', url: `${String(r.resourceType)}/${String(r.id)}` } }));
    await ehr.fhir.seed({ resourceType: 'Bundle', type: 'transaction', entry } as unknown as Bundle);
  }
  key = await testKey('ES384');
  const config = configSchema.parse({
    logLevel: 'info',
    store: { kind: 'memory' },
    // The first hook call waits for the evaluation workers to start (slow on a loaded machine), which is not what
    // these tests are about.
    hookDeadlineMs: 30_000,
    security: {
      publicBaseUrl: base,
      fhir: { allowHttpLoopback: true },
      auth: { mode: 'required', issuers: [{ iss: TEST_ISS, jwks: { keys: [key.publicJwk] }, fhirServers: [ehr.iss] }] },
    },
    evidence: { assetsDir },
  });
  const captured = memoryLog();
  log = captured.lines;
  deps = { ...createRuntime(config, createLogger(config.logLevel, captured.stream)), now: () => new Date(AS_OF) };
  server.on('request', createApp(deps));
  // Settled, not Promise.all: a failed build must not leave a launched browser behind (jest would never exit).
  const [launched, assets] = await Promise.allSettled([launchChromium(), built]);
  if (launched.status === 'fulfilled') browser = launched.value;
  for (const r of [launched, assets]) if (r.status === 'rejected') throw r.reason;
  mkdirSync(SCREENSHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await deps?.close?.();
  await ehr?.close();
  await new Promise((r) => server?.close(r));
});

/** A page that records CSP violations and script errors. */
async function newPage(width = 1024): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  await page.exposeFunction('reportCsp', (v: string) => problems.push(`csp: ${v}`));
  // Runs in the page (a string: the test's TypeScript has no DOM types).
  await page.addInitScript(`document.addEventListener('securitypolicyviolation', (e) => window.reportCsp(e.violatedDirective + ' ' + e.blockedURI))`);
  return { page, problems };
}

async function ready(page: Page): Promise<void> {
  await page.waitForSelector('html[data-state="ready"], html[data-state="error"]', { timeout: 20_000 });
  const state = await page.getAttribute('html', 'data-state');
  if (state !== 'ready') throw new Error(`page state ${state}: ${await page.textContent('main')}`);
}

/** Points and threshold lines per chart, as drawn. */
async function drawn(page: Page): Promise<Record<string, { points: number; thresholds: number; series: Record<string, number> }>> {
  return page.$$eval('figure.chart', (figs) =>
    Object.fromEntries(
      figs.map((f) => {
        const series: Record<string, number> = {};
        for (const c of f.querySelectorAll('circle[data-series]')) series[c.getAttribute('data-series')!] = (series[c.getAttribute('data-series')!] ?? 0) + 1;
        return [f.getAttribute('data-chart')!, { points: f.querySelectorAll('circle[data-series]').length, thresholds: f.querySelectorAll('g.hlh-line-threshold line').length, series }];
      }),
    ),
  );
}

function expectCharts(actual: Awaited<ReturnType<typeof drawn>>, view: EvidenceView): void {
  for (const c of view.charts) {
    const series = Object.fromEntries(c.series.filter((s) => s.count).map((s) => [s.analyte, s.count]));
    expect({ chart: c.id, series: actual[c.id]?.series, thresholds: actual[c.id]?.thresholds }).toEqual({
      chart: c.id,
      series,
      thresholds: c.lines.filter((l) => l.kind === 'threshold').length,
    });
  }
}

describe('EHR launch from a real card (SMART App Launch, authorization code + PKCE)', () => {
  let card: Card;
  let page: Page;
  let problems: string[];
  const transferred: Array<{ url: string; bytes: number }> = [];

  beforeAll(async () => {
    const prefetch = toPrefetch(resourcesOf('iec-hs-axicel') as never, deps.service.prefetch!);
    const res = await fetch(`${base}/cds-services/hlh-screen`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await mintToken(key, { aud: `${base}/cds-services/hlh-screen` })}` },
      body: JSON.stringify({ hook: 'patient-view', hookInstance: 'd1577c69-dfbe-44ad-ba6d-3e05e953b2ea', context: { userId: 'Practitioner/1', patientId: 'iec-hs-axicel' }, prefetch }),
    });
    expect(res.status).toBe(200);
    card = ((await res.json()) as { cards: Card[] }).cards[0]!;
    const link = card.links!.find((l) => l.type === 'smart')!;
    expect(link.url).toBe(`${base}/evidence/launch`);
    const launch = ehr.launch({ patient: 'iec-hs-axicel', appContext: link.appContext! });
    ehr.requireToken = true;
    ({ page, problems } = await newPage());
    page.on('response', async (r) => {
      if (!r.url().startsWith(base)) return;
      const bytes = (await r.request().sizes()).responseBodySize;
      if (bytes > 0) transferred.push({ url: r.url(), bytes }); // cached responses report -1
    });
    await page.goto(`${link.url}?iss=${encodeURIComponent(ehr.iss)}&launch=${launch}`);
    await ready(page);
  });
  afterAll(async () => {
    ehr.requireToken = false;
    await page?.close();
  });

  it('went through the EHR: authorize with the registered client, PKCE S256 and the launch; data read with the issued token', () => {
    const q = ehr.authorizeRequests.at(-1)!;
    expect(q.get('client_id')).toBe(CLIENT_ID);
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('scope')).toContain('patient/Observation.read');
    expect(ehr.issued).toHaveLength(1);
    expect(ehr.fhir.requests.filter((r) => r.includes('Observation?patient=')).length).toBeGreaterThanOrEqual(5);
    expect(new URL(page.url()).search).toBe(''); // code and state removed from the address bar
  });

  it("shows the card's assessment: same digest as the card's appContext, same indicator and summary, versions", async () => {
    const ctx = parseAppContext(card.links!.find((l) => l.type === 'smart')!.appContext)!;
    expect(await page.getAttribute('main', 'data-digest')).toBe(ctx.digest);
    expect(await page.textContent('.notice-ok')).toContain(ctx.digest);
    expect(await page.$$('.notice-warn')).toHaveLength(0);
    expect(await page.getAttribute('.summary', 'data-indicator')).toBe(card.indicator);
    expect(await page.textContent('.summary')).toContain(card.summary);
    const versions = await page.$$eval('dl.versions dd', (dds) => dds.map((d) => d.textContent));
    expect(versions).toEqual(expect.arrayContaining([ctx.assessmentVersion, ctx.knowledgeVersion, ctx.contentVersion]));
    expect(problems).toEqual([]);
  });

  it('draws every value of each chart series and every threshold line; tables for each framework', async () => {
    const view = expectedView('iec-hs-axicel');
    expectCharts(await drawn(page), view);
    const ferritin = view.charts.find((c) => c.id === 'ferritin')!;
    expect(ferritin.points).toHaveLength(3);
    expect(await page.$$('figure[data-chart="ferritin"] g.hlh-day0 line')).toHaveLength(1);
    expect(await page.$$('figure[data-chart="ferritin"] g.hlh-line-baseline line')).toHaveLength(1);
    expect(await page.$$eval('table[data-table] caption', (c) => c.map((x) => x.closest('table')!.getAttribute('data-table')))).toEqual(
      expect.arrayContaining(['astct', 'hlh2004', 'hscore', 'ohi', 'exposures']),
    );
    expect(await page.textContent('table[data-table="hlh2004"]')).toContain('24,500 ng/mL');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'ehr-launch-iec-hs-axicel.png'), fullPage: true });
  });

  it('transfers at most 600 KB gzipped (HTML, script, stylesheet) and logs no OAuth code, token or patient data', () => {
    const total = transferred.reduce((n, t) => n + t.bytes, 0);
    process.stdout.write(`evidence view, EHR launch: ${Math.round(total / 1024)} KiB transferred from the service (${transferred.map((t) => `${new URL(t.url).pathname} ${Math.round(t.bytes / 1024)}`).join(', ')})\n`);
    expect(transferred.map((t) => new URL(t.url).pathname).sort()).toEqual(expect.arrayContaining(['/evidence/', '/evidence/launch']));
    expect(total).toBeLessThanOrEqual(600 * 1000);
    expect(total).toBeGreaterThan(100 * 1000); // it was measured, compressed
    const text = log.join('\n');
    for (const secret of [...ehr.issued, 'code=', 'launch=', 'iec-hs-axicel']) expect(text).not.toContain(secret);
  });
});

describe('standalone demonstration (?iss&patient&asOf) against an open FHIR server', () => {
  it.each(IDS)('%s: the same assessment as the engine in Node; screenshot', async (id) => {
    const { page, problems } = await newPage();
    await page.goto(`${base}/evidence/?iss=${encodeURIComponent(ehr.iss)}&patient=${id}&asOf=${AS_OF}`);
    await ready(page);
    const view = expectedView(id);
    expect(await page.getAttribute('main', 'data-digest')).toBe(view.digest);
    expectCharts(await drawn(page), view);
    await page.screenshot({ path: path.join(SCREENSHOTS, `${id}.png`), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });
});

describe('refusals are explained, not bare network errors', () => {
  it('a FHIR server outside the page CSP: the page says which origin to allow', async () => {
    const { page } = await newPage();
    await page.goto(`${base}/evidence/?iss=${encodeURIComponent('http://127.0.0.1:9/fhir')}&patient=x`);
    await page.waitForSelector('html[data-state="error"]', { timeout: 20_000 });
    expect(await page.textContent('main')).toMatch(/does not let the page connect to http:\/\/127\.0\.0\.1:9\. .*EVIDENCE_CONNECT_SRC/);
    await page.goto(`${base}/evidence/launch`);
    await page.waitForSelector('html[data-state="error"]', { timeout: 20_000 });
    expect(await page.textContent('main')).toMatch(/Open this page from an HLH Sentinel card/);
    await page.goto(`${base}/evidence/?iss=not-a-url&patient=x`);
    await page.waitForSelector('html[data-state="error"]', { timeout: 20_000 });
    expect(await page.textContent('main')).toContain("The launch's FHIR server address is not a URL: not-a-url");
    await page.close();
  });
});

describe('offline file, keyboard, hover, width and print', () => {
  let file: string;
  beforeAll(() => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hlh-evidence-html-'));
    file = path.join(dir, 'iec.html');
    const assets = loadEvidenceAssets(assetsDir);
    writeFileSync(file, offlineEvidenceHtml({ file: 'iec-hs-axicel.json', patientId: 'iec-hs-axicel', asOf: AS_OF, resources: resourcesOf('iec-hs-axicel'), knowledge: defaultKnowledge, cards: loadCardContent(), assets }));
  });

  it('keyboard: Tab reaches a chart point, arrows move in time, the tooltip shows value and time; hover shows it too', async () => {
    const { page, problems } = await newPage();
    await page.goto(`file://${file}`);
    await ready(page);
    expect(await page.locator('.timeline svg[aria-label="Exposure timeline"]').count()).toBe(1);
    const first = page.locator('figure[data-chart="ferritin"] circle[tabindex="0"]');
    await first.focus();
    await page.keyboard.press('Home');
    const label = (await page.evaluate('document.activeElement.getAttribute("aria-label")')) as string;
    expect(label).toMatch(/^Ferritin 450 ng\/mL at 2026-02-28 08:00Z/);
    expect(await page.isVisible('#hlh-tooltip')).toBe(true);
    expect(await page.textContent('#hlh-tooltip')).toBe(label);
    await page.keyboard.press('ArrowRight');
    expect(await page.textContent('#hlh-tooltip')).toMatch(/^Ferritin 9,800 ng\/mL at 2026-03-13 12:00Z/);
    await page.keyboard.press('Escape');
    expect(await page.isVisible('#hlh-tooltip')).toBe(false);
    await page.hover('figure[data-chart="platelets"] circle[data-value="38"]');
    expect(await page.textContent('#hlh-tooltip')).toMatch(/^Platelets 38 ×10⁹\/L at 2026-03-15 08:00Z/);
    // 1024 px: nothing wider than the window
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(1024);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('print: the charts and tables are in the printout, the tooltip and value lists are not', async () => {
    const { page } = await newPage();
    await page.goto(`file://${file}`);
    await ready(page);
    await page.emulateMedia({ media: 'print' });
    expect(await page.isVisible('figure[data-chart="ferritin"] svg')).toBe(true);
    expect(await page.isVisible('table[data-table="hlh2004"]')).toBe(true);
    expect(await page.isVisible('details.values')).toBe(false);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'print-iec-hs-axicel.png'), fullPage: true });
    const pdf = await page.pdf({ format: 'A4' });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    writeFileSync(path.join(SCREENSHOTS, 'print-iec-hs-axicel.pdf'), pdf);
    await page.close();
  });

  it('first render of a 1,000-Observation patient within 1 s (best of 3 loads of the offline file)', async () => {
    const generated = generateHookRequest(1000, new Date(AS_OF));
    const prefetch = (generated.body.prefetch ?? {}) as Record<string, unknown>;
    const resources = Object.values(prefetch).filter((v) => v !== null);
    const big = path.join(path.dirname(file), 'n1000.html');
    writeFileSync(big, offlineEvidenceHtml({ file: 'n1000', patientId: generated.patientId, asOf: AS_OF, resources, knowledge: defaultKnowledge, cards: loadCardContent(), assets: loadEvidenceAssets(assetsDir) }));
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const { page } = await newPage();
      await page.goto(`file://${big}`);
      await ready(page);
      times.push((await page.evaluate('performance.getEntriesByName("hlh-evidence-rendered")[0].startTime')) as number);
      if (i === 0) {
        const points = await page.$$eval('circle[data-series]', (c) => c.length);
        expect(points).toBe(expectedView(generated.patientId, resources).charts.reduce((n, c) => n + c.points.length, 0));
      }
      await page.close();
    }
    process.stdout.write(`evidence view, 1,000 Observations: first render ${times.map((t) => Math.round(t)).join(', ')} ms\n`);
    expect(Math.min(...times)).toBeLessThanOrEqual(1000);
  });
});

describe('Firefox ESR (puppeteer-core over WebDriver BiDi)', () => {
  it('renders the offline IEC-HS view with the same points and keyboard access', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hlh-evidence-ff-'));
    const file = path.join(dir, 'iec.html');
    writeFileSync(file, offlineEvidenceHtml({ file: 'iec-hs-axicel.json', patientId: 'iec-hs-axicel', asOf: AS_OF, resources: resourcesOf('iec-hs-axicel'), knowledge: defaultKnowledge, cards: loadCardContent(), assets: loadEvidenceAssets(assetsDir) }));
    const firefox = await launchFirefox();
    try {
      const page = await firefox.newPage();
      await page.setViewport({ width: 1024, height: 900 });
      await page.goto(`file://${file}`);
      await page.waitForSelector('html[data-state="ready"]', { timeout: 20_000 });
      const view = expectedView('iec-hs-axicel');
      expect(await page.$eval('main', (m) => m.getAttribute('data-digest'))).toBe(view.digest);
      expect(await page.$$eval('circle[data-series]', (c) => c.length)).toBe(view.charts.reduce((n, c) => n + c.points.length, 0));
      await page.$eval('figure[data-chart="ferritin"] circle[tabindex="0"]', (c) => (c as unknown as { focus(): void }).focus());
      await page.keyboard.press('Home');
      expect(await page.$eval('#hlh-tooltip', (t) => t.textContent)).toMatch(/^Ferritin 450 ng\/mL/);
      await page.screenshot({ path: path.join(SCREENSHOTS, 'firefox-iec-hs-axicel.png') as `${string}.png` });
    } finally {
      await firefox.close();
    }
  });
});
