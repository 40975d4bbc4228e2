/**
 * What `generate` warns about for the chosen flavours. Apart from the generators (flavors/index.ts)
 * on purpose: `generate` prints these on every run, also when its output is current and no
 * generator is loaded.
 */
import type { FlavorName } from '../../load/deploy-config';
import type { ResolvedMigration } from '../../model/types';

/** The receivers a migration routes to, in the order they first appear. */
export function receiverNames(model: ResolvedMigration): string[] {
  return [...new Set([model.routing.notify, model.routing.page])];
}

/**
 * Receivers the migration routes to that the config does not define: an AlertmanagerConfig
 * receiver without integrations drops what reaches it, so generate warns about each.
 */
export function undefinedReceivers(model: ResolvedMigration): string[] {
  const defined = model.config.deploy?.prometheusOperator?.receivers ?? {};
  return receiverNames(model).filter((n) => !(n in defined));
}

/** Things a user must know about the chosen flavours (printed by generate as warnings). */
export function flavorWarnings(models: ResolvedMigration[], flavors: readonly FlavorName[]): string[] {
  const out: string[] = [];
  if (flavors.includes('prometheus-operator')) {
    for (const m of models) {
      for (const r of undefinedReceivers(m)) {
        out.push(`${m.id}: the AlertmanagerConfig names receiver \`${r}\` without integrations (it drops what it receives): define it under deploy.prometheusOperator.receivers in migobs.config.yaml (docs/deploy.md#prometheus-operator)`);
      }
    }
  }
  return out;
}
