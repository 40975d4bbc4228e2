/**
 * POSIX shell quoting for generated files that hold command arguments (the routing cases).
 *
 * Every argument is written in single quotes: inside them a POSIX shell interprets nothing (no `$`,
 * backquote, backslash, glob or history expansion), so the only character that needs care is `'`
 * itself, written as `'\''` (close, escaped quote, reopen). `parseShellWords` reads exactly this
 * form back, and refuses anything else, so migobs never has to interpret shell syntax either.
 */

/** One argument as a single-quoted POSIX shell word. */
export function shQuote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Arguments as one line of single-quoted words separated by spaces. */
export function shQuoteAll(args: readonly string[]): string {
  return args.map(shQuote).join(' ');
}

export class ShellWordsError extends Error {
  constructor(
    message: string,
    /** 0-based index in the line where the problem is. */
    readonly index: number,
  ) {
    super(message);
  }
}

/**
 * The words of a line written by `shQuoteAll`: words separated by spaces or tabs, each made of
 * `'...'` parts and `\'`. Anything a shell would expand or interpret (`$`, backquotes, unquoted
 * text, double quotes) is refused, so the result is always the data that was quoted.
 */
export function parseShellWords(line: string): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === ' ' || line[i] === '\t') i++;
    if (i >= line.length) break;
    let word = '';
    let parts = 0;
    while (i < line.length && line[i] !== ' ' && line[i] !== '\t') {
      if (line[i] === "'") {
        const close = line.indexOf("'", i + 1);
        if (close < 0) throw new ShellWordsError('unterminated single quote', i);
        word += line.slice(i + 1, close);
        i = close + 1;
      } else if (line.startsWith("\\'", i)) {
        word += "'";
        i += 2;
      } else {
        throw new ShellWordsError(`expected a single-quoted word, found \`${line[i]}\``, i);
      }
      parts++;
    }
    if (parts > 0) words.push(word);
  }
  return words;
}

/** Quoting for command lines migobs prints for a user to copy (never executed by migobs): bare when safe. */
const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * One argument as the shell must see it: bare when it only holds safe characters; double-quoted
 * when it holds single quotes but nothing a double-quoted string expands (SQL text); else
 * single-quoted.
 */
export function shellQuote(arg: string): string {
  if (arg !== '' && SAFE.test(arg)) return arg;
  if (arg.includes("'") && !/["$`\\!]/.test(arg)) return `"${arg}"`;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** A command line: each argument quoted, joined by spaces. */
export function shellLine(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}
