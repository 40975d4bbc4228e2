/**
 * src/render/markdown.ts (plain text) and markdown-user.ts (user Markdown), checked against a real
 * CommonMark parser (markdown-it, test/helpers/markdown.ts) rather than against expected strings
 * alone: plain text renders as exactly that text, user code renders byte for byte, and nothing
 * the user wrote becomes HTML, a non-http link or a heading.
 */
import fc from 'fast-check';
import { micromark } from 'micromark';
import { describe, expect, it } from 'vitest';
import { mdCode, mdTable, mdText } from '../../src/render/markdown';
import { isPlainParagraph, isSafeUserUrl, mdAfterLabel, mdListItem, mdMarkdown, sanitizeByParsing } from '../../src/render/markdown-user';
import { isOwnHtml, renderedCodeBlocks, renderedCodeSpans, renderedHeadings, renderedHtml, renderedLinks, renderMarkdown } from '../helpers/markdown';

const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const SAFE_HREF = /^(https?:\/\/|mailto:|#|[^:]*$)/i;

describe('mdText: plain text shown literally, escaped only where it would change meaning', () => {
  it.each([
    ['snake_case and Threads_running', 'snake_case and Threads_running'],
    ['lag < 5 s, R&D, (P3), 2 * 3, ~5 s, $5', 'lag < 5 s, R&D, (P3), 2 * 3, ~5 s, $5'],
    ['<script>alert(1)</script>', '&lt;script>alert(1)&lt;/script>'],
    ['[x](javascript:alert(1))', '\\[x\\](javascript:alert(1))'],
    ['`code` and *em* and _em_', '\\`code\\` and \\*em\\* and \\_em\\_'],
    ['# not a heading', '\\# not a heading'],
    ['Issue #', 'Issue \\#'],
    ['- not a list', '\\- not a list'],
    ['1. not a list', '1\\. not a list'],
    ['> not a quote', '\\> not a quote'],
    ['---', '\\---'],
    ['a | b', 'a \\| b'],
    ['&amp; is not an entity', '&amp;amp; is not an entity'],
    ['costs $5 or $6', 'costs \\$5 or \\$6'],
    ['~~struck~~', '\\~\\~struck\\~\\~'],
    ['C:\\path and a\\*b and end\\', 'C:\\path and a\\\\\\*b and end\\\\'],
    ['two\nlines', 'two lines'],
  ])('%j', (input, expected) => {
    expect(mdText(input)).toBe(expected);
    expect(renderMarkdown(mdText(input))).toBe(`<p>${escapeHtml(input.replace(/\n/g, ' '))}</p>\n`);
  });

  it('any text renders as exactly that text (markdown-it and micromark, at a line start)', () => {
    const alphabet = fc.constantFrom(...'abcxyz019 \t\n_*`~[]()<>!#+-=.&;|\\/:"\'$@{}^é中'.split(''));
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 40 }).map((a) => a.join('')), (s) => {
        const shown = s.replace(/\n/g, ' ').trim();
        const md = mdText(s);
        const expected = shown === '' ? '' : `<p>${escapeHtml(shown)}</p>`;
        expect(renderMarkdown(md).trim()).toBe(expected);
        expect(micromark(md).trim()).toBe(expected);
      }),
      { numRuns: 1000 },
    );
  });

  it('is safe inside a link text, a heading and a table cell', () => {
    const nasty = 'a ] b | c [ #';
    expect(renderedLinks(`[${mdText(nasty)}](https://ok.example)`)).toEqual([{ kind: 'link', href: 'https://ok.example' }]);
    expect(renderedHeadings(`### Gate: ${mdText(nasty)}`)).toEqual([{ level: 3, text: `Gate: ${nasty}` }]);
    expect(renderMarkdown(mdTable(['a', 'b'], [[mdText(nasty), mdCode('x | y')]]))).toContain(`<td>${nasty}</td>\n<td><code>x | y</code></td>`);
  });
});

describe('mdMarkdown: user Markdown keeps code exact and loses what could hurt', () => {
  it.each([
    ['raw HTML block', '<details open ontoggle=alert(6)>\nfoo', '&lt;details open ontoggle=alert(6)>\nfoo'],
    ['inline HTML', 'a <img src=x onerror=alert(1)> b <b>c</b>', 'a &lt;img src=x onerror=alert(1)> b &lt;b>c&lt;/b>'],
    ['an HTML comment', '<!-- x -->', '&lt;!-- x -->'],
    ['a javascript: link', '[x](javascript:alert(1))', '\\[x](javascript:alert(1))'],
    ['an entity-encoded scheme', '[x](java&#115;cript:alert(1))', '\\[x](java&#115;cript:alert(1))'],
    ['a data: image', '![i](data:image/png;base64,xx)', '!\\[i](data:image/png;base64,xx)'],
    ['a vbscript: autolink', '<vbscript:msgbox(1)>', '&lt;vbscript:msgbox(1)>'],
    ['a reference to an unsafe definition', '[y][r]\n\n[r]: javascript:x', '[y][r]\n\n\\[r]: javascript:x'],
    ['an ATX heading', '# not a heading', '\\# not a heading'],
    ['a setext heading', 'Title\n===', 'Title\n\\==='],
    ['an unclosed fence', 'text\n~~~sh\nrm -rf /tmp/x', 'text\n~~~sh\nrm -rf /tmp/x\n~~~'],
    ['HTML that hid a link', '<a href="[x](javascript:alert(1))">q</a>', '&lt;a href="\\[x](javascript:alert(1))">q&lt;/a>'],
  ])('neutralises %s', (_name, input, expected) => {
    const md = mdMarkdown(input);
    expect(md).toBe(expected);
    expect(renderedHtml(md)).toEqual([]);
    expect(renderedHeadings(md)).toEqual([]);
    for (const l of renderedLinks(md)) expect(l.href).toMatch(SAFE_HREF);
  });

  it.each([
    ['a safe link', 'See [the doc](https://wiki.example.com/a_(b)).'],
    ['a list with emphasis', '1. **Stop** the runner\n2. Revert _carefully_'],
    ['a code span with HTML and a pipe', 'Run `psql -c "<x>" | tee /tmp/o` now'],
    ['a fenced block with HTML and an unsafe link', '```html\n<script>alert(1)</script> [x](javascript:1)\n```'],
    ['a table', '| a | b |\n| - | - |\n| `x|y` | 2 |'],
    ['prose with symbols', 'Wait for lag < 5 s (P3), then R&D; snake_case stays.'],
  ])('leaves %s as it is', (_name, input) => {
    expect(mdMarkdown(input)).toBe(input);
  });

  it('a fenced block keeps every byte between its fences', () => {
    const code = 'pg_dump --table=orders "$SRC" | psql "$DST" && echo "$(date)" `hostname` <in >out 2>&1 \\\n  # <b> [x](javascript:1)\n\ttabbed';
    for (const fence of ['```', '~~~', '````']) {
      const input = `Copy this:\n\n${fence}sh\n${code}\n${fence}\n\nThen check.`;
      const md = mdMarkdown(input);
      expect(md).toBe(input);
      expect(renderedCodeBlocks(md)).toEqual([{ info: 'sh', content: `${code}\n` }]);
    }
  });

  it('any code inside a fence comes out exactly, whatever prose and HTML surround it', () => {
    const prose = fc.constantFrom('Run:', '<b>x</b>', '[x](javascript:1)', '# head', '- item', '> quote', 'a_b `c`', '');
    const code = fc.array(fc.constantFrom(...'ab $()`|<>&\\"\'#*_[]{}!~-\t'.split(''), 'x\ny'), { maxLength: 30 }).map((a) => a.join(''));
    fc.assert(
      fc.property(prose, code, prose, (before, body, after) => {
        fc.pre(!/^\s*(`{3,}|~{3,})/m.test(body) && !body.includes('```'));
        const md = mdMarkdown(`${before}\n\n\`\`\`sh\n${body}\n\`\`\`\n\n${after}`);
        expect(renderedCodeBlocks(md)).toContainEqual({ info: 'sh', content: `${body}\n` });
        expect(renderedHtml(md)).toEqual([]);
        for (const l of renderedLinks(md)) expect(l.href).toMatch(SAFE_HREF);
      }),
      { numRuns: 300 },
    );
  });

  it('random Markdown never yields raw HTML, an unsafe link or a heading', () => {
    const piece = fc.constantFrom('<', '>', '[', ']', '(', ')', '!', '#', '=', '-', '`', '~', '&', ';', '"', ':', '\\', '\n', ' ', 'a', 'x', 'javascript:', 'data:', '<b>', '</a>', '<!--', '[r]:', '```', '\t', '    ', '1.', '>', '&#106;', '<script');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }).map((a) => a.join('')), (s) => {
        const md = mdMarkdown(s);
        expect(renderedHtml(md)).toEqual([]);
        expect(renderedHeadings(md)).toEqual([]);
        for (const l of renderedLinks(md)) expect(l.href).toMatch(SAFE_HREF);
        // Nothing after it can be swallowed by an open code block.
        expect(renderedCodeBlocks(`${md}\n\nAFTER`).some((b) => b.content.includes('AFTER'))).toBe(false);
      }),
      { numRuns: 800 },
    );
  });
});

describe('plain one-line text skips the parse (isPlainParagraph)', () => {
  // What the fast path returns without parsing must be what the parser makes of the same text.
  const paragraph = (s: string): { md: string; blocks: string[] } => ({ md: s, blocks: ['paragraph'] });
  it.each([
    'Halve the batch size and resume.',
    'Batch p95 <= 0.5 s'.replace('<', ''),
    'Run `migobs gate` first; exit 0 = proceed',
    'A *b* _c_ **d** ~~e~~ www.example.com https://x.y/z?a=b&c=d',
    'Use a | b | c as columns',
    'Ends with a backslash \\',
    'X #1 is not a heading; Y! (z) {w} ^v @u $t %s',
    'A\u0000B and é and 😀',
    'Tab\there',
    'Halve --batch-size, wait for lag < 5 s, resume.',
    'Batch size <= 1,000 rows, ends with <',
    'Ends with <=',
    '`migobs lint` passes; `` a`b `` too',
    '30 min baseline; 95th percentile',
  ])('%j is one paragraph, unchanged', (s) => {
    expect(isPlainParagraph(s)).toBe(true);
    expect(sanitizeByParsing(s)).toEqual(paragraph(s));
  });

  it.each(['', '1. a list', '12) a list', '1.5 s', '- a list', '# heading', '> quote', '<b>x</b>', 'see [x](javascript:alert(1))', 'two\nlines', ' leading space', '```', '```sh', '| a |', 'a <b>x</b>', 'mail <=x@example.com>', 'a </p>', 'a <!-- c -->', 'a <http://x>'])('%j takes the parse', (s) => {
    expect(isPlainParagraph(s)).toBe(false);
  });

  it('random plain lines: the parser agrees with the fast path', () => {
    const first = fc.constantFrom(...'abcXYZ'.split(''));
    const rest = fc.constantFrom(' ', '\t', 'a', '1', '.', ')', '*', '_', '~', '`', '!', '#', '=', '-', '+', '|', '>', ']', '(', ')', '&', ';', ':', '\\', '"', "'", '{', '}', '^', '@', 'www.', 'http://x', '&amp;', '&#60;', 'é', '\u0000', '\u00a0');
    fc.assert(
      fc.property(fc.tuple(first, fc.array(rest, { maxLength: 30 })), ([f, r]) => {
        const s = (f + r.join('')).replace(/\s+$/, '');
        expect(isPlainParagraph(s)).toBe(true);
        expect(sanitizeByParsing(s)).toEqual(paragraph(s));
      }),
      { numRuns: 1500 },
    );
  });
});

describe('the fast path is sound: whatever it takes, the parser agrees', () => {
  const paragraph = (s: string): { md: string; blocks: string[] } => ({ md: s, blocks: ['paragraph'] });
  it('random lines of Markdown-significant pieces', () => {
    const piece = fc.constantFrom(
      ...'aZ09`<=[]()!?/ \t.:-*_#>|&@'.split(''),
      '``',
      '```',
      '1.',
      '1)',
      '< ',
      '<= ',
      '<b>',
      '</b>',
      '<!--',
      '<?',
      '<http://x>',
      '<a@b.co>',
      '<=a@b.co>',
      '[x](y)',
      '[x]: y',
      'javascript:',
      '&lt;',
    );
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 12 }), (pieces) => {
        const s = pieces.join('').replace(/\s+$/, '');
        if (isPlainParagraph(s)) expect(sanitizeByParsing(s), s).toEqual(paragraph(s));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('mdListItem and mdAfterLabel', () => {
  it.each([
    ['one line', 'Lag `< 5 s` for 15 min', '- [ ] Lag `< 5 s` for 15 min'],
    ['a paragraph and a block', 'Run:\n```sql\nSELECT 1;\n```', '- [ ] Run:\n  ```sql\n  SELECT 1;\n  ```'],
    ['a block first', '```sql\nSELECT 1;\n```', '- [ ]\n  ```sql\n  SELECT 1;\n  ```'],
    ['a list first', '- a\n- b', '- [ ]\n  - a\n  - b'],
    ['an HTML line', '<b>x</b>', '- [ ] &lt;b>x&lt;/b>'],
  ])('checklist item: %s', (_name, input, expected) => {
    expect(mdListItem('- [ ]', input)).toBe(expected);
  });

  it('a fenced block inside a checklist item renders inside the item, bytes unchanged', () => {
    const html = renderMarkdown(`${mdListItem('- [ ]', 'Run:\n```sh\na | b\n\n  c\n```')}\n- [ ] next`);
    // A tight list: the paragraph is not wrapped in <p>, the code block is inside the first item.
    expect(html).toBe('<ul>\n<li>[ ] Run:<pre><code class="language-sh">a | b\n\n  c\n</code></pre>\n</li>\n<li>[ ] next</li>\n</ul>\n');
  });

  it('numbered items indent under their marker', () => {
    expect(mdListItem('10.', 'x\n```\ny\n```')).toBe('10. x\n    ```\n    y\n    ```');
  });

  it.each([
    ['one paragraph stays on the label line', 'the `--collect.info_schema.processlist` flag', 'Requires: the `--collect.info_schema.processlist` flag'],
    ['blocks go below the label', 'Load:\n```yaml\na: 1\n```', 'Requires:\n\nLoad:\n```yaml\na: 1\n```'],
    ['nothing', '', 'Requires:'],
  ])('after a label: %s', (_name, input, expected) => {
    expect(mdAfterLabel('Requires:', input)).toBe(expected);
  });
});

describe('isSafeUserUrl', () => {
  it.each([
    ['https://x.example/a', true],
    ['mailto:a@b.example', true],
    ['../schema.sql', true],
    ['#rollback', true],
    ['javascript:alert(1)', false],
    ['JaVaScRiPt:alert(1)', false],
    [' java\tscript:alert(1)', false],
    ['\u0001javascript:alert(1)', false],
    ['data:text/html,x', false],
    ['vbscript:x', false],
    ['file:///etc/passwd', false],
  ])('%j -> %s', (url, safe) => {
    expect(isSafeUserUrl(url)).toBe(safe);
  });
});

describe('own HTML check of the helpers', () => {
  it('accepts only the header comment and anchors', () => {
    expect(['<!-- Generated by migobs. x -->', '<a id="gate-x"></a>'].every(isOwnHtml)).toBe(true);
    expect(['<a href="x">', '<b>', '<!-- other -->'].some(isOwnHtml)).toBe(false);
    expect(renderedCodeSpans('`a|b`')).toEqual(['a|b']);
  });
});
