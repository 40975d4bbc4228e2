import { errorAt, type SemanticRule } from '../rule';

/**
 * Alertmanager receivers are names, not commands. They travel into the merged Alertmanager config,
 * the routing-cases file (as amtool arguments), Markdown and shell scripts people write around
 * them, so they are restricted to characters that mean nothing to a POSIX shell, to YAML flow
 * syntax or to Alertmanager's matcher parser: ASCII letters and digits first, then letters,
 * digits, space, `.`, `_`, `:`, `@`, `/` and `-`; at most 100 characters; no trailing space.
 * Notably absent: `$`, backquote, quotes, `\`, `;`, `|`, `&`, `<`, `>`, parentheses, braces,
 * brackets, `*`, `?`, `!`, `#`, `~`, `=`, `%` and `,` (amtool's --verify.receivers splits on commas).
 */
export const RECEIVER_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9 ._:@/-]{0,98}[A-Za-z0-9._:@/-])?$/;
export const RECEIVER_NAME_HINT = 'use letters, digits and . _ : @ / - (and inner spaces), starting with a letter or digit, at most 100 characters; rename the receiver in the Alertmanager config to match';

/** Why `name` is not a usable receiver name, or undefined when it is. */
export function receiverNameProblem(name: string): string | undefined {
  if (RECEIVER_NAME.test(name)) return undefined;
  if (name.length > 100) return `receiver name is ${name.length} characters long (at most 100)`;
  const bad = [...name].find((ch, i) => !(i === 0 ? /[A-Za-z0-9]/ : /[A-Za-z0-9 ._:@/-]/).test(ch));
  if (bad === undefined) return 'receiver name may not end with a space';
  const shown = /^[\x21-\x7e]$/.test(bad) ? `\`${bad}\`` : `U+${bad.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  return name.indexOf(bad) === 0 && /[ ._:@/-]/.test(bad) ? `receiver name must start with a letter or digit, not ${shown}` : `receiver name contains ${shown}`;
}

export const receiverNameValid: SemanticRule = {
  name: 'receiver-name-valid',
  doc: 'spec.routing page and notify are plain receiver names: letters, digits, space and . _ : @ / - (no shell, YAML or matcher syntax), at most 100 characters.',
  check(ctx) {
    const routing = ctx.def.spec.routing ?? {};
    return (['page', 'notify'] as const).flatMap((role) => {
      const name = routing[role];
      const problem = name === undefined ? undefined : receiverNameProblem(name);
      return problem ? [errorAt(ctx, this.name, ['spec', 'routing', role], `spec.routing.${role}: ${problem}`, RECEIVER_NAME_HINT)] : [];
    });
  },
};
