import { escapeMarkdown, table } from '../../src/render/markdown';
import { markdownToText } from '../../src/render/text';
import { loadCardContent } from '../../src/render/content';
import { renderCards } from '../../src/render/cards';
import { assessment, seqIds } from './fixtures';
import fc from 'fast-check';

/** Everything a hostile string could use to leave plain text, checked on the escaped output. */
function assertInert(out: string) {
  expect(out).not.toMatch(/[\n\r]/);
  expect(out).not.toMatch(/<|>/); // no raw HTML
  // every inline-syntax character is backslash-escaped
  for (let i = 0; i < out.length; i++) {
    if ('`*_[]()|~!$'.includes(out[i]!)) {
      let k = i - 1;
      let n = 0;
      while (k >= 0 && out[k] === '\\') {
        n++;
        k--;
      }
      expect(n % 2).toBe(1);
    }
  }
}

describe('escapeMarkdown', () => {
  it.each([
    ['<script>alert(1)</script>', '&lt;script&gt;alert\\(1\\)&lt;/script&gt;'],
    ['[x](javascript:alert(1))', '\\[x\\]\\(javascript:alert\\(1\\)\\)'],
    ['![img](https://evil.example/p.png)', '\\!\\[img\\]\\(https\\://evil.example/p.png\\)'],
    ['a | b', 'a \\| b'],
    ['`rm -rf`', '\\`rm -rf\\`'],
    ['line1\nline2\r\n# heading', 'line1 line2 # heading'],
    ['# heading', '\\# heading'],
    ['- item', '\\- item'],
    ['1. item', '1\\. item'],
    ['**bold** _it_ ~~s~~', '\\*\\*bold\\*\\* \\_it\\_ \\~\\~s\\~\\~'],
    ['Tom & Jerry &amp;', 'Tom &amp; Jerry &amp;amp;'],
    ['$x^2$', '\\$x^2\\$'],
    ['see www.evil.example', 'see www\\.evil.example'],
    ['back\\slash', 'back\\\\slash'],
    ['<img src=x onerror=alert(1)>', '&lt;img src=x onerror=alert\\(1\\)&gt;'],
  ])('%j → %j', (input, expected) => {
    const out = escapeMarkdown(input);
    expect(out).toBe(expected);
    assertInert(out);
  });

  it('drops control and bidi characters, keeps ordinary unicode', () => {
    expect(escapeMarkdown('Ferritin\u0000\u202E µg/L ×10⁹')).toBe('Ferritin µg/L ×10⁹');
  });

  it('cuts very long strings', () => {
    expect(escapeMarkdown('x'.repeat(500), 50)).toHaveLength(50);
  });

  it('property: any string is inert after escaping', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (s) => {
        assertInert(escapeMarkdown(s));
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips to readable text', () => {
    expect(markdownToText(escapeMarkdown('a | b <c> [d](e)'))).toBe('a | b <c> [d](e)');
  });

  it('table cells with pipes do not add columns', () => {
    const t = table(['a', 'b'], [[escapeMarkdown('x|y'), escapeMarkdown('z')]]);
    const row = t.split('\n')[2]!;
    expect(row.split(/(?<!\\)\|/).length - 2).toBe(2);
  });
});

describe('hostile EHR strings in a rendered card', () => {
  it('agent names, matched text, sources, alternatives and issue messages are escaped', () => {
    const content = loadCardContent();
    const hostile = '<script>x</script>[click](javascript:alert(1))|`code`\n# H ![i](http://e/i.png)';
    const a = assessment({ agent: hostile, exposure: { matched: hostile } });
    a.exposure.primary!.agent = hostile;
    a.alternatives = [{ kind: 'infection', detail: hostile, source: hostile }];
    a.dataIssues = [{ severity: 'warning', code: 'prefetch-failed', params: { key: hostile, reason: hostile }, source: hostile }];
    a.knowledge.overrides = [hostile];
    a.hlh2004.items[0] = { ...a.hlh2004.items[0]!, label: hostile, sources: [hostile] };
    const [card] = renderCards(a, { patientId: 'p1', detail: 'full' }, content, seqIds());
    const d = card!.detail!;
    expect(d).not.toContain('<script>');
    expect(d).not.toContain('](javascript:');
    expect(d).not.toContain('![i]');
    expect(d).not.toMatch(/\n# H/);
    expect(d).not.toContain('`code`');
    // the only links are the configured sources
    const links = [...d.matchAll(/(?<!\\)\]\((?<url>[^)]*)\)/g)].map((m) => m.groups!.url);
    expect(links.every((u) => u!.startsWith('https://doi.org/'))).toBe(true);
    // the summary is one plain line under 140
    expect(card!.summary).not.toMatch(/\n/);
    expect(card!.summary.length).toBeLessThan(140);
    expect(d).toContain('Data issues');
    expect(d).toContain('prefetch-failed');
  });
});
