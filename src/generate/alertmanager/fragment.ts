/**
 * The Alertmanager fragment of one migration: a route subtree (to be placed first among the root
 * route's children) and the inhibit rules that keep a rollback from also ringing as a pause.
 *
 * Every rule is scoped to `migration_id="<id>"`, so fragments of many migrations never interfere
 * with each other or with the base config, and marked with MANAGED_MATCHER, so a re-merge can find
 * and replace them without touching routes a person wrote for the same migration.
 */
import type { ResolvedMigration } from '../../model/types';
import { formatMatcher, eq, re, type LabelMatcher } from '../../promql/matchers';
import { ALERT, SEVERITY } from '../names';

/** A route in Alertmanager's config shape (only the keys migobs writes). */
export interface AmRoute {
  receiver?: string;
  matchers?: string[];
  group_by?: string[];
  group_wait?: string;
  continue?: boolean;
  routes?: AmRoute[];
}

export interface AmInhibitRule {
  source_matchers: string[];
  target_matchers: string[];
  equal: string[];
}

export interface AlertmanagerFragment {
  route: AmRoute;
  inhibit_rules: AmInhibitRule[];
}

/** One notification per gate (and one for the gate-less meta alerts) per migration. */
export const GROUP_BY = ['migration_id', 'gate'];
/**
 * Rollback pages should not wait the 30s default group_wait (reference AL6): the gate already
 * waited `rollbackFor` before firing.
 */
export const PAGE_GROUP_WAIT = '10s';

/** `name="value"` in Alertmanager's matcher syntax (same quoting as PromQL). */
const m = (matcher: LabelMatcher): string => formatMatcher(matcher);

/** The matcher every route and inhibit rule of this migration carries. */
export const migrationMatcher = (migrationId: string): string => m(eq('migration_id', migrationId));

/** Label of the marker matcher (namespaced: no alert carries it). */
export const MANAGED_LABEL = 'migobs_managed';
/**
 * The marker of every route subtree and inhibit rule migobs writes: `migobs_managed=~".*"` matches
 * every alert (a missing label is "", which `.*` matches), so it changes no routing, yet it is data
 * that survives re-formatting and Alertmanager's validation (unlike a comment). `migobs
 * alertmanager` replaces exactly the routes and inhibit rules that carry it together with the
 * migration's `migration_id` matcher, and never touches one a person wrote.
 */
export const MANAGED_MATCHER = m(re(MANAGED_LABEL, '.*'));

export function buildAlertmanagerFragment(model: ResolvedMigration): AlertmanagerFragment {
  const id = migrationMatcher(model.id);
  // A label missing on one side counts as equal in `equal:`, so without this guard a gate-less meta
  // alert could inhibit (or be inhibited by) every gate alert of the migration.
  const hasGate = m(re('gate', '.+'));
  return {
    route: {
      // Anything of this migration that no child matches still reaches the team, not the base default.
      receiver: model.routing.notify,
      matchers: [id, MANAGED_MATCHER],
      group_by: GROUP_BY,
      // Explicit: once a migration alert matches here, the base routes do not notify it a second time.
      continue: false,
      routes: [
        // Rollback alerts and a stalled migration (both critical) page.
        { receiver: model.routing.page, matchers: [m(eq('severity', SEVERITY.rollback))], group_wait: PAGE_GROUP_WAIT },
        // Pause, absent-signal, ETA-overrun and metrics-absent alerts (warning) notify the channel.
        { receiver: model.routing.notify, matchers: [m(eq('severity', SEVERITY.pause))] },
      ],
    },
    inhibit_rules: [
      // A rollback silences the pause alert of the same gate: one gate, one decision, the worst one.
      // The absent-signal alert of that gate is NOT silenced: being blind during a rollback is news.
      {
        source_matchers: [id, m(eq('alertname', ALERT.rollback)), hasGate, MANAGED_MATCHER],
        target_matchers: [id, m(eq('alertname', ALERT.pause)), hasGate],
        equal: ['migration_id', 'gate'],
      },
      // When the migration's own metrics are gone, every gate reading them goes absent too; one
      // MigrationMetricsAbsent says it all. Both alerts carry migration_id (matched above), so
      // `equal` cannot pair a labelless alert here.
      {
        source_matchers: [id, m(eq('alertname', ALERT.metricsAbsent)), MANAGED_MATCHER],
        target_matchers: [id, m(eq('alertname', ALERT.absent)), hasGate],
        equal: ['migration_id'],
      },
    ],
  };
}
