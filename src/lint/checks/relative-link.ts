import type { Diagnostic } from '../../diagnostics';
import { buildRules, type AlertingRule } from '../../generate/rules/rules';
import { CONFIG_FILE } from '../../load/config';
import { findingAt, type LintCheck, type LintContext } from '../types';

/** Each alert link, the config key that makes it absolute, and what that key must point at. */
const LINKS = [
  { annotation: 'runbook_url', key: 'runbookBaseUrl', what: 'where the generated docs are browsable, e.g. the output folder on your Git host' },
  { annotation: 'dashboard_url', key: 'grafanaUrl', what: "your Grafana's base URL" },
] as const;

/** Hosts that resolve nowhere useful: RFC 2606/6761 reserved names, as in the placeholders `migobs init` writes. */
const PLACEHOLDER_HOST = /^(?:[^.]+\.)*(?:example\.(?:com|net|org)|example|invalid|test|localhost)$/i;

/** Why a link does not work where alerts land (Slack, PagerDuty, email), or undefined when it does. */
function deadLink(url: string): 'relative' | 'placeholder' | undefined {
  if (!/^https?:\/\//i.test(url)) return 'relative';
  try {
    return PLACEHOLDER_HOST.test(new URL(url).hostname) ? 'placeholder' : undefined;
  } catch {
    return 'relative';
  }
}

/** The config key's line when the config file has it, else the top of the config file, else the definition's id. */
function where(ctx: LintContext, key: string): { file: string; line: number; column: number } | undefined {
  const config = ctx.config;
  if (!config) return undefined;
  const data = config.data as Record<string, unknown> | null;
  const path = data && typeof data === 'object' && key in data ? [key] : [];
  return { file: config.file, ...config.locate(path, 'value') };
}

/**
 * An alert is read in Slack, PagerDuty or an email, where `runbook.md#gate-x` and `/d/<uid>` lead
 * nowhere: the person paged at 3 a.m. gets no runbook and no dashboard. One finding per link kind.
 */
export const relativeLink: LintCheck = {
  name: 'relative-link',
  severity: 'warning',
  doc: 'Every alert link (runbook_url, dashboard_url) is an absolute http(s) URL on a real host: set runbookBaseUrl and grafanaUrl in migobs.config.yaml.',
  check(ctx) {
    const alerts: AlertingRule[] = buildRules(ctx.model).groups[1].rules;
    const out: Diagnostic[] = [];
    for (const link of LINKS) {
      const dead = alerts.map((a) => ({ alert: a, url: a.annotations[link.annotation], why: deadLink(a.annotations[link.annotation]) })).filter((x) => x.why !== undefined);
      if (dead.length === 0) continue;
      const first = dead[0]!;
      const kind = first.why === 'relative' ? 'relative' : 'a placeholder';
      const message =
        `${dead.length} of ${alerts.length} alerts of \`${ctx.model.id}\` carry ${kind} \`${link.annotation}\` (e.g. \`${first.url}\` on ${first.alert.alert}): ` +
        'the link is dead where alerts land (Slack, PagerDuty, email)';
      const hint = ctx.config
        ? `set \`${link.key}\` in ${ctx.config.file} to ${link.what}`
        : `create ${CONFIG_FILE} with \`${link.key}\` (${link.what}) and \`${link.key === 'grafanaUrl' ? 'runbookBaseUrl' : 'grafanaUrl'}\`; \`migobs init\` writes one with placeholders`;
      const at = where(ctx, link.key);
      out.push(at ? { ...at, severity: this.severity, check: this.name, message, hint } : findingAt(ctx, this, ['metadata', 'id'], message, hint));
    }
    return out;
  },
};
