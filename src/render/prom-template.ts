/**
 * Prometheus alert annotations are Go templates. User text placed in them must print verbatim:
 * `{{ ... }}` in a title must not run a query, `$labels` must not expand. Text that contains a
 * template delimiter is wrapped as a Go string constant inside an action (`{{ "..." }}`), which the
 * template engine prints literally.
 */
import { quotePromqlString } from '../promql/matchers';

/** A Go string literal (double-quoted, escaped): PromQL strings use the same syntax. */
export const goQuote = quotePromqlString;

/** User text, made inert for a Prometheus template. */
export function templateText(text: string): string {
  // A `{` at either end could join a neighbouring `{` (user text or `{{ $value }}`) into `{{`.
  const risky = text.includes('{{') || text.includes('}}') || text.startsWith('{') || text.endsWith('{');
  return risky ? `{{ ${goQuote(text)} }}` : text;
}

/** Builds an annotation from trusted template code and user text. */
export class TemplateBuilder {
  private parts: string[] = [];
  /** User (untrusted) text: printed verbatim. */
  text(t: string): this {
    this.parts.push(templateText(t));
    return this;
  }
  /** Template code written by migobs itself, e.g. `{{ $value | humanize }}`. */
  code(t: string): this {
    this.parts.push(t);
    return this;
  }
  build(): string {
    return this.parts.join('');
  }
}

export const tpl = (): TemplateBuilder => new TemplateBuilder();
