/**
 * The printed knowledge: `npm run knowledge` (Markdown and JSON, defaults or a site's file), docs/knowledge.md and
 * docs/knowledge.schema.json kept in sync with the code (regenerate: `npm run knowledge:docs`), and no comment or
 * content citing a document outside the repository.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultsMarkdown, main, schemaJson, UsageError } from '../../src/cli/knowledge';
import { defaultKnowledge } from '../../src/knowledge';
import type { KnowledgeReport } from '../../src/knowledge/report';

const ROOT = path.join(__dirname, '../..');

function capture(argv: string[], env: NodeJS.ProcessEnv = {}): { code: number; text: string } {
  let text = '';
  const code = main(argv, env, (s) => (text += s));
  return { code, text };
}

function siteFile(content: unknown): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'hlh-knowledge-')), 'site.json');
  writeFileSync(file, JSON.stringify(content));
  return file;
}

describe('docs/knowledge.md and docs/knowledge.schema.json', () => {
  it('are what `npm run knowledge:docs` generates from the shipped defaults', () => {
    expect(readFileSync(path.join(ROOT, 'docs/knowledge.md'), 'utf8')).toBe(defaultsMarkdown());
    expect(readFileSync(path.join(ROOT, 'docs/knowledge.schema.json'), 'utf8')).toBe(schemaJson());
  });

  it('the schema describes a partial site file: nothing required outside list entries, list entries complete', () => {
    const s = JSON.parse(schemaJson());
    expect(s.required).toBeUndefined();
    expect(s.properties.criteria.properties.hscore.properties.cutoff.required).toBeUndefined();
    expect(s.properties.exposures.properties.agents.items.required).toEqual(expect.arrayContaining(['agent', 'class', 'names', 'codes']));
    expect(s.properties.overrides).toBeUndefined();
    expect(s.properties.$schema).toMatchObject({ type: 'string' });
  });
});

describe('npm run knowledge', () => {
  it('prints the shipped values with operator, unit, status and citation (Markdown)', () => {
    const { code, text } = capture([]);
    expect(code).toBe(0);
    expect(text).toContain('| `criteria.hlh2004.ferritin` | ≥ 500 ng/mL (≥ 500 ug/L) | confirmed | Henter 2007 (HLH-2004), criterion 7 |  |');
    expect(text).toContain("paths the site's file changed: none");
  });

  it('prints a site file: the changed values, their new provenance and the site column (JSON and Markdown)', () => {
    const file = siteFile({ $schema: '../docs/knowledge.schema.json', criteria: { hscore: { cutoff: { value: 190 } } } });
    const json = JSON.parse(capture(['--format', 'json', '--knowledge', file]).text) as KnowledgeReport;
    expect(json.overrides).toEqual(['criteria.hscore.cutoff.value']);
    const cutoff = json.values.find((v) => v.path === 'criteria.hscore.cutoff')!;
    expect(cutoff).toMatchObject({ value: { value: 190, unit: 'points' }, status: 'design', source: { id: 'site' }, siteChanged: true });
    expect(json.values.find((v) => v.path === 'criteria.hscore.maximum')).toMatchObject({ status: 'confirmed', siteChanged: false });
    const md = capture([], { KNOWLEDGE_FILE: file }).text;
    expect(md).toContain('| `criteria.hscore.cutoff` | 190 points | design | site configuration | **yes** |');
  });

  it('keeps a site citation it gives itself', () => {
    const file = siteFile({
      sources: { 'lab-2026': { short: 'Site lab 2026', citation: 'Our laboratory reference ranges, 2026' } },
      criteria: { ferritinDefaultUln: { value: 300, status: 'confirmed', source: { id: 'lab-2026', locator: 'ferritin' } } },
    });
    const cutoff = (JSON.parse(capture(['--format', 'json', '--knowledge', file]).text) as KnowledgeReport).values.find((v) => v.path === 'criteria.ferritinDefaultUln');
    expect(cutoff).toMatchObject({ citation: 'Site lab 2026, ferritin', status: 'confirmed', siteChanged: true });
  });

  it('--help prints the usage to stdout; bad arguments and files fail clearly', () => {
    expect(capture(['--help'])).toEqual({ code: 0, text: expect.stringContaining('Usage: knowledge') });
    expect(() => capture(['--format', 'xml'])).toThrow(UsageError);
    expect(() => capture(['--bogus'])).toThrow(UsageError);
    expect(() => capture(['--knowledge', siteFile({ criteria: { hscore: { cutof: 1 } } })])).toThrow(/criteria\.hscore.*cutof/);
    expect(() => capture(['--knowledge', siteFile({ criteria: { hscore: { cutoff: { value: 190, source: { id: 'nope' } } } } })])).toThrow(/unknown source "nope"/);
  });

  it('every value of the report is one the engine reads (the JSON lists all of them)', () => {
    const json = JSON.parse(capture(['--format', 'json']).text) as KnowledgeReport;
    expect(json.version).toBe(defaultKnowledge.version);
    expect(json.values.length).toBeGreaterThan(100);
    expect(json.values.every((v) => v.citation.length > 0 && ['confirmed', 'reproduced', 'design'].includes(v.status))).toBe(true);
  });
});

describe('citations a reader can open', () => {
  it('no comment or content in src/ or cards/ cites a document outside the repository', () => {
    const bad: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const p = path.join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.(ts|json|md|css)$/.test(name)) {
          readFileSync(p, 'utf8').split('\n').forEach((line, i) => {
            if (/CC §|clinical-criteria\.md|\.\.\/shared/.test(line)) bad.push(`${path.relative(ROOT, p)}:${i + 1}`);
          });
        }
      }
    };
    walk(path.join(ROOT, 'src'));
    walk(path.join(ROOT, 'cards'));
    expect(bad).toEqual([]);
  });
});
