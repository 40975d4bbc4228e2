/**
 * The golden case test/fixtures/golden/orders-archive-restore.yaml carries shell and SQL in its
 * rollback plan, remediation and criteria. Its committed runbook (test/golden/orders-archive-restore)
 * must hold those blocks byte for byte between the fences, and a real CommonMark parser
 * (markdown-it) must read each one as a code block whose text is exactly what the definition says.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO } from '../helpers/cli';
import { isOwnHtml, renderedCodeBlocks, renderedCodeSpans, renderedHtml, renderedLinks } from '../helpers/markdown';

const definition = parse(readFileSync(join(REPO, 'test/fixtures/golden/orders-archive-restore.yaml'), 'utf8'));
const runbook = readFileSync(join(REPO, 'test/golden/orders-archive-restore/docs/orders-archive-restore/runbook.md'), 'utf8');

/** The raw text between an opening fence line `<indent><fence><info>` and the next `<indent><fence>` line. */
function between(text: string, indent: string, fence: string, info: string): string {
  const open = `\n${indent}${fence}${info}\n`;
  const start = text.indexOf(open);
  expect(start, `${indent}${fence}${info} in\n${text}`).toBeGreaterThanOrEqual(0);
  const end = text.indexOf(`\n${indent}${fence}\n`, start + open.length - 1);
  expect(end).toBeGreaterThan(start);
  return text.slice(start + open.length, end + 1);
}

/** What a code block inside a list item contains: the lines less the item's indentation. */
const dedent = (raw: string, indent: string): string => raw.replace(new RegExp(`^${indent}`, 'gm'), '');

describe('golden orders-archive-restore: code in the runbook is the code in the definition', () => {
  const plan: string = definition.spec.rollbackPlan;
  const sh = between(plan, '   ', '```', 'sh');
  const sql = between(plan, '   ', '~~~', 'sql');

  it('the shell block holds every character that used to be escaped', () => {
    for (const c of ['|', '$(', '`', '<', '>', '&', '\\']) expect(sh, c).toContain(c);
  });

  it('the bytes between the fences are the bytes of the definition', () => {
    expect(between(runbook, '   ', '```', 'sh')).toBe(sh);
    expect(between(runbook, '   ', '~~~', 'sql')).toBe(sql);
    // The remediation block is top-level in both.
    expect(between(runbook, '', '```', 'sh')).toBe(between(`\n${definition.spec.gates[0].remediation}`, '', '```', 'sh'));
  });

  it('a CommonMark parser reads each block as code with exactly that text', () => {
    const blocks = renderedCodeBlocks(runbook);
    expect(blocks).toContainEqual({ info: 'sh', content: dedent(sh, '   ') });
    expect(blocks).toContainEqual({ info: 'sql', content: dedent(sql, '   ') });
    const remediation = between(`\n${definition.spec.gates[0].remediation}`, '', '```', 'sh');
    expect(blocks).toContainEqual({ info: 'sh', content: remediation });
    // The proceed criterion's block, indented under its checklist item.
    const proceed: string = definition.spec.phases[0].proceed[0];
    expect(blocks).toContainEqual({ info: 'sql', content: between(`\n${proceed}`, '', '```', 'sql') });
  });

  it('code spans come out exactly, pipes and backticks included', () => {
    const spans = renderedCodeSpans(runbook);
    expect(spans).toContain('systemctl stop orders-archive-restore && systemctl is-active --quiet orders-archive-restore || echo stopped');
    expect(spans).toContain('orders-archive-restore --dry-run --limit 10000 | tail -1');
    expect(spans).toContain("SELECT count(*) FROM orders WHERE created_at < '2020-01-01'");
  });

  it('the HTML and the javascript: link in the description stay inert', () => {
    expect(renderedHtml(runbook).filter((h) => !isOwnHtml(h))).toEqual([]);
    expect(renderedLinks(runbook).filter((l) => /^javascript:/i.test(l.href))).toEqual([]);
  });
});
