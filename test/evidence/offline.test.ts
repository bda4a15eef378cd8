/**
 * `evaluate --format html`: one self-contained file (inlined script and styles, embedded data) whose CSP
 * allows exactly its own script and stylesheet and no network access; hostile text cannot end its blocks.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { htmlPath, main, parseArgs, UsageError } from '../../src/cli/evaluate';
import { CONFIG_ELEMENT_ID, DATA_ELEMENT_ID } from '../../src/evidence/page';
import { fakeEvidenceAssets } from '../support/evidence-assets';

const EXAMPLE = path.resolve(__dirname, '../../examples/patients/iec-hs-axicel.json');

const fakeAssets = (js = 'window.ok = "</script><!-- x";', css = 'main{color:red}/*</style>*/') => fakeEvidenceAssets(js, css).dir;

const between = (html: string, open: string, close: string) => html.slice(html.indexOf(open) + open.length, html.indexOf(close, html.indexOf(open)));

describe('evaluate --format html', () => {
  it('options: html is offline only; --out and --assets go with it', () => {
    expect(parseArgs(['a.json', '--format', 'html', '--out', 'x.html'])).toMatchObject({ format: 'html', out: 'x.html' });
    expect(() => parseArgs(['a.json', '--format', 'html', '--url', 'http://localhost:8080'])).toThrow(/offline only/);
    expect(() => parseArgs(['a.json', '--out', 'x.html'])).toThrow(/go with --format html/);
    expect(htmlPath('dir/p.json', {}, 1)).toBe('p.evidence.html');
    expect(htmlPath('dir/p.json', { out: 'out' }, 2)).toBe(path.join('out', 'p.evidence.html'));
    expect(() => htmlPath('p.json', { out: 'one.html' }, 2)).toThrow(UsageError);
  });

  it('writes one self-contained file: inline script and styles allowed by hash, no network, the bundle embedded', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hlh-offline-'));
    const out: string[] = [];
    await main([EXAMPLE, '--format', 'html', '--out', path.join(dir, 'iec.html'), '--assets', fakeAssets()], (s) => out.push(s));
    expect(out[0]).toMatch(/iec\.html: evidence view of .*iec-hs-axicel\.json · patient iec-hs-axicel · asOf 2026-03-15T12:00:00Z \(bundle\)/);
    const html = readFileSync(path.join(dir, 'iec.html'), 'utf8');
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1]!;
    expect(csp).toMatch(/^default-src 'none'; script-src 'sha256-[A-Za-z0-9+/=]+'; style-src 'sha256-[A-Za-z0-9+/=]+'; img-src data:/);
    expect(csp).not.toMatch(/connect-src|unsafe/);
    // the hashes are those of the inlined texts, which cannot close their elements
    const script = between(html, '<script>', '</script>\n</body>');
    expect(csp).toContain(`'sha256-${createHash('sha256').update(script).digest('base64')}'`);
    expect(script).toBe('window.ok = "<\\/script><\\!-- x";');
    expect(between(html, '<style>', '</style>')).toBe('main{color:red}/*<\\/style>*/');
    expect(html).not.toMatch(/<script[^>]+src=/);
    const data = JSON.parse(between(html, `<script type="application/json" id="${DATA_ELEMENT_ID}">`, '</script>')) as Record<string, unknown>;
    expect(data).toMatchObject({ mode: 'offline', patientId: 'iec-hs-axicel', asOf: '2026-03-15T12:00:00Z', server: 'iec-hs-axicel.json' });
    expect(html).toContain(`id="${CONFIG_ELEMENT_ID}"`);
  });

  it('hostile text in the patient data cannot end the data block', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hlh-offline-'));
    const bundle = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as { entry: Array<{ resource: Record<string, unknown> }> };
    bundle.entry[0]!.resource.name = [{ text: '</script><script>alert(1)</script><!--' }];
    const file = path.join(dir, 'hostile.json');
    writeFileSync(file, JSON.stringify(bundle));
    await main([file, '--format', 'html', '--out', dir, '--assets', fakeAssets('x()', 'y{}')], () => undefined);
    const html = readFileSync(path.join(dir, 'hostile.evidence.html'), 'utf8');
    expect(html.match(/<script/g)).toHaveLength(3); // config, data, the page script
    expect(html).toContain('\\u003c/script>\\u003cscript>alert(1)');
    expect(readdirSync(dir).sort()).toEqual(['hostile.evidence.html', 'hostile.json']);
  });

  it('without a build: a clear error', async () => {
    await expect(main([EXAMPLE, '--format', 'html', '--assets', path.join(os.tmpdir(), 'no-build-here')], () => undefined)).rejects.toThrow(/not built.*npm run build/);
  });
});
