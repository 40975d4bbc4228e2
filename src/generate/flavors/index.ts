/**
 * Deploy flavours (`generate --flavor`, docs/deploy.md): the same definition packaged for the
 * loader a team already runs. `files` is the plain layout of docs/layout.md; every other flavour
 * wraps the same payload (payload.ts) and writes beside it under its own folder (names.ts FILES).
 */
import type { ResolvedMigration } from '../../model/types';
import type { FlavorName } from '../../load/deploy-config';
import type { OutputFile } from '../index';
import { configmapFiles } from './configmap';
import { grafanaAlertingFiles } from './grafana-alerting';
import { grafanaOperatorFiles } from './grafana-operator';
import { mimirFiles } from './mimir';
import { buildPayload, type Payload } from './payload';
import { prometheusOperatorFiles } from './prometheus-operator';

export { flavorWarnings } from './warnings';

export { FLAVOR_NAMES, type FlavorName } from '../../load/deploy-config';

const GENERATORS: Record<Exclude<FlavorName, 'files'>, (p: Payload) => OutputFile[]> = {
  'prometheus-operator': prometheusOperatorFiles,
  'grafana-operator': grafanaOperatorFiles,
  configmap: configmapFiles,
  mimir: mimirFiles,
  'grafana-alerting': grafanaAlertingFiles,
};

/** The files of the non-`files` flavours for one migration. */
export function flavorFiles(model: ResolvedMigration, flavors: readonly FlavorName[]): OutputFile[] {
  const wanted = flavors.filter((f): f is Exclude<FlavorName, 'files'> => f !== 'files');
  if (wanted.length === 0) return [];
  const payload = buildPayload(model);
  return [...new Set(wanted)].flatMap((f) => GENERATORS[f](payload));
}
