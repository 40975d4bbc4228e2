/**
 * Every gate-defaults row id (G7, P3, GL9, PG3, ...) that a user can meet is defined in
 * docs/references.md, with an upstream source: the presets and engine libraries (their comments
 * and every text that reaches the runbook and alerts), the docs, the generators' own text, and the
 * generated runbooks, alert docs and rules of every shipped example (test/golden).
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO } from '../helpers/cli';

/** A row id: one of the reference's prefixes and a number, not part of a longer word (p95, appLatencyP99, GL14x). */
const ROW_ID = /(?<![A-Za-z0-9_])(GL|SM|PG|MY|AL|G|P|S|V|L|D|A|F)(\d{1,2})(?![A-Za-z0-9_])/g;

function files(dir: string, keep: (path: string) => boolean): string[] {
  return readdirSync(join(REPO, dir)).flatMap((name) => {
    const rel = join(dir, name);
    return statSync(join(REPO, rel)).isDirectory() ? files(rel, keep) : keep(rel) ? [rel] : [];
  });
}

const REFERENCES = readFileSync(join(REPO, 'docs', 'references.md'), 'utf8');
/** id -> its table row. */
const DEFINED = new Map([...REFERENCES.matchAll(/^\| ((?:GL|SM|PG|MY|AL|G|P|S|V|L|D|A|F)\d{1,2}) \|(.*)$/gm)].map((m) => [m[1]!, m[2]!]));

/** Every id cited in `paths`, with where. */
function cited(paths: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const p of paths) {
    for (const m of readFileSync(join(REPO, p), 'utf8').matchAll(ROW_ID)) {
      const id = `${m[1]}${m[2]}`;
      out.set(id, [...(out.get(id) ?? []), p]);
    }
  }
  return out;
}

const undefinedIn = (paths: string[]): string[] =>
  [...cited(paths).entries()].filter(([id]) => !DEFINED.has(id)).map(([id, where]) => `${id} (${[...new Set(where)].join(', ')})`);

describe('docs/references.md defines every row id users meet', () => {
  it('defines the rows, each with what it says and an upstream link', () => {
    expect(DEFINED.size).toBeGreaterThanOrEqual(100);
    for (const [id, row] of DEFINED) {
      const [what, source] = row.split(' | ');
      expect(what!.trim().length, id).toBeGreaterThan(20);
      expect(source, id).toMatch(/\]\(https:\/\//);
    }
  });

  it('every id cited in presets/ (comments, descriptions, remediation, requires) is defined', () => {
    const presets = files('presets', (p) => p.endsWith('.yaml'));
    expect(presets.length).toBeGreaterThanOrEqual(9);
    expect(cited(presets).size).toBeGreaterThan(50);
    expect(undefinedIn(presets)).toEqual([]);
  });

  it('every id cited in docs/ and in the generators\' own text is defined', () => {
    expect(undefinedIn([...files('docs', (p) => p.endsWith('.md')), ...files('src/generate', (p) => p.endsWith('.ts'))])).toEqual([]);
  });

  it('every id in the generated runbooks, alert docs and rules of the shipped examples is defined', () => {
    const generated = files('test/golden', (p) => /(runbook|alerts|dashboard)\.md$|rules\.yaml$/.test(p));
    expect(generated.length).toBeGreaterThanOrEqual(6);
    expect(cited(generated).size).toBeGreaterThan(0);
    expect(undefinedIn(generated)).toEqual([]);
  });

  it('the presets cite docs/references.md, nothing outside the repository', () => {
    for (const p of files('presets', (f) => /^presets\/[a-z-]+\.yaml$/.test(f))) {
      const text = readFileSync(join(REPO, p), 'utf8');
      expect(text, relative(REPO, p)).toMatch(/# Sources: docs\/references\.md/);
    }
  });
});
