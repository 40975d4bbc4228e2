/**
 * Plain-words diagnosis of a mis-indented line. The YAML parser reports indentation mistakes as
 * their consequences ("Nested mappings are not allowed in compact mappings", "All mapping items
 * must start at the same column" on every later line); this reads the lines the way a person
 * does (which line is out of line with its neighbours, and where it should start) so the loader
 * can report that one line instead. Used only when the parser found an error: valid YAML the
 * heuristic would misread (multi-line plain scalars) never reaches it.
 */

export interface IndentationProblem {
  line: number; // 1-based
  column: number; // 1-based
  message: string;
  hint: string;
}

interface Level {
  /** Column (0-based) where the content of this level starts. */
  col: number;
  line: number;
  /** What starts there, for "like `id:` on line 18". */
  what: string;
}

const spaces = (n: number): string => `${n} space${n === 1 ? '' : 's'}`;

/** The first key or item text of a line's content, e.g. `signal:` or `- id:`. */
function label(content: string): string {
  const m = /^((?:-[ ]+)*)([^\s:#][^:#]*?:)(\s|$)/.exec(content);
  if (m) return `${m[1]!.replace(/\s+/g, ' ')}${m[2]!.trim()}`;
  return content.trim().slice(0, 20);
}

/** Whether a line's content ends with `key:` (a nested block follows) or is `-` alone. */
function opensBlock(content: string): boolean {
  const body = stripComment(content).trimEnd();
  return body.endsWith(':') || /^(-\s*)+$/.test(body);
}

function isBlockScalarStart(content: string): boolean {
  return /(^|:\s|-\s)\s*[|>][-+0-9]*$/.test(stripComment(content).trimEnd());
}

/** Content without a trailing ` # comment` (quotes respected). */
function stripComment(content: string): string {
  let quote: string | undefined;
  for (let i = 0; i < content.length; i++) {
    const c = content[i]!;
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '#' && (i === 0 || /\s/.test(content[i - 1]!))) {
      return content.slice(0, i);
    }
  }
  return content;
}

/** Change in flow-bracket depth over a line (quotes respected). */
function bracketDelta(content: string): number {
  let depth = 0;
  const body = stripComment(content);
  let quote: string | undefined;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
  }
  return depth;
}

/**
 * The first line whose indentation does not fit the lines before it, if it is within one line of
 * `nearLine` (where the parser noticed a problem).
 */
export function indentationProblem(text: string, nearLine: number): IndentationProblem | undefined {
  const lines = text.split(/\r?\n/);
  const stack: Level[] = [];
  let prevOpens = false;
  let prev: { line: number; col: number; what: string } | undefined;
  let blockScalarAt: number | undefined; // indentation of the key that started a block scalar
  let flowDepth = 0;
  for (let n = 1; n <= lines.length && n <= nearLine + 1; n++) {
    const raw = lines[n - 1]!;
    const lead = /^[ \t]*/.exec(raw)![0];
    const content = raw.slice(lead.length);
    if (content === '' || content.startsWith('#')) continue;
    if (blockScalarAt !== undefined) {
      if (!lead.includes('\t') && lead.length > blockScalarAt) continue;
      const header = blockScalarAt;
      blockScalarAt = undefined;
      // Not a key or list item: text meant for the block (`|`/`>`) above, not indented enough.
      if (prev && !lead.includes('\t') && !/^(-(\s|$)|[^\s:#][^:#]*:(\s|$))/.test(content)) {
        if (Math.abs(n - nearLine) > 1) return undefined;
        return {
          line: n,
          column: lead.length + 1,
          message: `line ${n} is indented ${spaces(lead.length)}, but it is text of the block scalar started by \`${prev.what}\` on line ${prev.line} (${spaces(header)}), so YAML expected it indented further`,
          hint: `indent the text of \`${prev.what}\` with ${spaces(header + 2)}`,
        };
      }
    }
    if (flowDepth > 0) {
      flowDepth += bracketDelta(content);
      continue;
    }
    if (n === 1 && (content.startsWith('%') || content.startsWith('---'))) continue;
    if (lead.includes('\t')) {
      if (Math.abs(n - nearLine) > 1) return undefined;
      const expected = prevOpens ? undefined : stack[stack.length - 1];
      return {
        line: n,
        column: 1,
        message: `line ${n} is indented with a tab: YAML indentation must be spaces`,
        hint: expected
          ? `replace the tab with ${spaces(expected.col)} so \`${label(content)}\` lines up with \`${expected.what}\` on line ${expected.line}`
          : `replace the tab with spaces${prev ? `, more than line ${prev.line} (${spaces(prev.col)}) since \`${label(content)}\` belongs to \`${prev.what}\`` : ''}`,
      };
    }
    const col = lead.length;
    const what = label(content);
    let problem: IndentationProblem | undefined;
    if (stack.length === 0) {
      stack.push({ col, line: n, what });
    } else if (prevOpens && col > stack[stack.length - 1]!.col) {
      stack.push({ col, line: n, what });
    } else {
      const top = stack[stack.length - 1]!;
      if (col > top.col) {
        problem = {
          line: n,
          column: col + 1,
          message: `line ${n} is indented ${spaces(col)}, but \`${top.what}\` on line ${top.line} uses ${spaces(top.col)}: \`${what}\` must start in the same column (a line may be indented further only under a line that ends with \`key:\`)`,
          hint: `indent \`${what}\` with ${spaces(top.col)}`,
        };
      } else {
        let popped: Level | undefined;
        while (stack.length > 1 && stack[stack.length - 1]!.col > col) popped = stack.pop();
        const now = stack[stack.length - 1]!;
        if (now.col !== col) {
          const want = popped ?? now;
          problem = {
            line: n,
            column: col + 1,
            message: `line ${n} is indented ${spaces(col)}, which lines up with no line above it: YAML expected ${spaces(want.col)} like \`${want.what}\` on line ${want.line}${now !== want ? ` or ${spaces(now.col)} like \`${now.what}\` on line ${now.line}` : ''}`,
            hint: `keys of one mapping, and items of one list, start in the same column: indent \`${what}\` with ${spaces(want.col)}`,
          };
        } else if (now.line !== n) {
          stack[stack.length - 1] = { col, line: n, what };
        }
      }
    }
    if (problem) return Math.abs(problem.line - nearLine) <= 1 ? problem : undefined;
    // `- id: x`: the item's mapping starts after the dash; siblings of `id:` line up with it.
    const dash = /^((?:-[ ]+)+)/.exec(content);
    if (dash && content.length > dash[0].length) {
      const inner = col + dash[0].length;
      stack.push({ col: inner, line: n, what: label(content.slice(dash[0].length)) });
    }
    prevOpens = opensBlock(content);
    if (isBlockScalarStart(content)) blockScalarAt = col;
    prev = { line: n, col, what };
    flowDepth = Math.max(0, bracketDelta(content));
  }
  return undefined;
}
