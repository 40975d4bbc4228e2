/** Signal units (as written in definitions and presets) to Grafana unit ids. */
const GRAFANA_UNITS: Record<string, string> = {
  s: 's',
  ms: 'ms',
  bytes: 'bytes',
  'bytes/s': 'Bps',
  ratio: 'percentunit',
  percent: 'percent',
  'ops/s': 'ops',
  'rows/s': 'short',
};

/** Grafana's unit for a signal unit; anything unknown is a plain number (`short`). */
export function grafanaUnit(signalUnit: string): string {
  return GRAFANA_UNITS[signalUnit] ?? 'short';
}
