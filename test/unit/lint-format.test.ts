import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/diagnostics';
import { escapeGithubData, escapeGithubProperty, formatFindings, formatGithub, formatText } from '../../src/lint/format';
import { failsAt } from '../../src/lint/index';

const d = (over: Partial<Diagnostic> = {}): Diagnostic => ({
  file: 'migrations/a.yaml',
  line: 12,
  column: 5,
  severity: 'warning',
  check: 'for-too-short',
  message: 'gate `x`: for 30s is short',
  hint: 'set `for` to 1m',
  ...over,
});

describe('lint formats', () => {
  it('text: file:line:col: severity: message (hint) [check]', () => {
    expect(formatText(d())).toBe('migrations/a.yaml:12:5: warning: gate `x`: for 30s is short (set `for` to 1m) [for-too-short]');
    expect(formatText(d({ severity: 'error', hint: undefined }))).toBe('migrations/a.yaml:12:5: error: gate `x`: for 30s is short [for-too-short]');
  });

  it.each<[Diagnostic['severity'], string]>([
    ['error', '::error '],
    ['warning', '::warning '],
    ['info', '::notice '],
  ])('github: %s is a %s command', (severity, prefix) => {
    expect(formatGithub(d({ severity }))).toBe(`${prefix}file=migrations/a.yaml,line=12,col=5::gate \`x\`: for 30s is short (set \`for\` to 1m) [for-too-short]`);
  });

  it.each([
    ['100% sure', '100%25 sure'],
    ['two\nlines\r\n', 'two%0Alines%0D%0A'],
    ['%0A literally', '%250A literally'],
  ])('github escapes the message %j', (raw, escaped) => {
    expect(escapeGithubData(raw)).toBe(escaped);
    expect(formatGithub(d({ message: raw, hint: undefined }))).toBe(`::warning file=migrations/a.yaml,line=12,col=5::${escaped} [for-too-short]`);
  });

  it('github escapes property values (a file name with , and :)', () => {
    expect(escapeGithubProperty('C:/a,b%.yaml')).toBe('C%3A/a%2Cb%25.yaml');
    expect(formatGithub(d({ file: 'a,b:c.yaml' }))).toMatch(/^::warning file=a%2Cb%3Ac\.yaml,line=12,col=5::/);
  });

  it('json: an array of {file, line, column, severity, check, message, hint}', () => {
    expect(JSON.parse(formatFindings([d(), d({ hint: undefined, severity: 'info' })], 'json'))).toEqual([
      { file: 'migrations/a.yaml', line: 12, column: 5, severity: 'warning', check: 'for-too-short', message: 'gate `x`: for 30s is short', hint: 'set `for` to 1m' },
      { file: 'migrations/a.yaml', line: 12, column: 5, severity: 'info', check: 'for-too-short', message: 'gate `x`: for 30s is short' },
    ]);
    expect(formatFindings([], 'json')).toBe('[]\n');
    expect(formatFindings([], 'text')).toBe('');
  });

  it.each<[Diagnostic['severity'][], Diagnostic['severity'], boolean]>([
    [['error'], 'error', true],
    [['warning', 'info'], 'error', false],
    [['warning'], 'warning', true],
    [['info'], 'warning', false],
    [['info'], 'info', true],
    [[], 'info', false],
  ])('findings %j with --fail-on %s fail: %s', (severities, failOn, fails) => {
    expect(failsAt(severities.map((severity) => d({ severity })), failOn)).toBe(fails);
  });
});
