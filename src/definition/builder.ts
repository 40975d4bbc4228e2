/**
 * Typed builders for definitions written in code, in the style of the Grafana foundation SDK:
 *
 *   const def = new MigrationBuilder('orders-region-backfill')
 *     .title('Backfill orders.region').owner('team-orders')
 *     .type('backfill').engine('postgres').expectedDuration('6h')
 *     .gate(new GateBuilder('replication-lag').pause(10).rollback(60).for('2m'))
 *     .build();
 *
 * `build()` returns a plain MigrationDefinition; validate it with `loadDefinitionText` (or
 * `checkDefinition`) like any YAML file.
 */
import type { Direction, Engine, GateDefinition, Link, MigrationDefinition, MigrationType, PhaseDefinition, RollbackDifficulty, SignalDefinition, TargetDefinition, TargetName } from './types';

export class GateBuilder {
  private g: GateDefinition;
  constructor(id: string) {
    this.g = { id };
  }
  title(t: string): this { this.g.title = t; return this; }
  signal(name: string): this { this.g.signal = name; return this; }
  direction(d: Direction): this { this.g.direction = d; return this; }
  pause(v: number): this { this.g.pause = v; return this; }
  rollback(v: number): this { this.g.rollback = v; return this; }
  for(d: string): this { this.g.for = d; return this; }
  rollbackFor(d: string): this { this.g.rollbackFor = d; return this; }
  phases(...ids: string[]): this { this.g.phases = ids; return this; }
  remediation(t: string): this { this.g.remediation = t; return this; }
  disabled(): this { this.g.enabled = false; return this; }
  build(): GateDefinition { return structuredClone(this.g); }
}

export class MigrationBuilder {
  private d: MigrationDefinition;
  constructor(id: string) {
    this.d = { apiVersion: 'migobs/v1', kind: 'Migration', metadata: { id, title: id, owner: '' }, spec: { type: 'backfill', engine: 'generic' } };
  }
  title(t: string): this { this.d.metadata.title = t; return this; }
  owner(o: string): this { this.d.metadata.owner = o; return this; }
  description(t: string): this { this.d.metadata.description = t; return this; }
  link(title: string, url: string): this { (this.d.metadata.links ??= []).push({ title, url } satisfies Link); return this; }
  type(t: MigrationType): this { this.d.spec.type = t; return this; }
  engine(e: Engine): this { this.d.spec.engine = e; return this; }
  blastRadius(b: { tables?: string[]; writePath?: boolean; rollback?: RollbackDifficulty; forwardFix?: string }): this { this.d.spec.blastRadius = { ...b }; return this; }
  expectedDuration(d: string): this { this.d.spec.expectedDuration = d; return this; }
  scrapeInterval(d: string): this { this.d.spec.scrapeInterval = d; return this; }
  stalledAfter(d: string): this { this.d.spec.stalledAfter = d; return this; }
  selector(s: string): this { this.d.spec.selector = s; return this; }
  /** A target: a selector, `fleet`, or `{selector, count}` (see docs/definition.md "Targets"). */
  target(name: TargetName, t: TargetDefinition): this { (this.d.spec.targets ??= {})[name] = typeof t === 'string' ? t : { ...t }; return this; }
  /** RFC 3339 times with offset: no alert outside [notBefore, notAfter). */
  schedule(s: { notBefore?: string; notAfter?: string }): this { this.d.spec.schedule = { ...s }; return this; }
  signal(name: string, s: SignalDefinition): this { (this.d.spec.signals ??= {})[name] = { ...s }; return this; }
  gate(g: GateBuilder | GateDefinition): this { (this.d.spec.gates ??= []).push(g instanceof GateBuilder ? g.build() : { ...g }); return this; }
  phase(p: PhaseDefinition): this { (this.d.spec.phases ??= []).push({ ...p }); return this; }
  routing(r: { page?: string; notify?: string }): this { this.d.spec.routing = { ...r }; return this; }
  grafana(g: { datasourceUid?: string; folder?: string }): this { this.d.spec.grafana = { ...g }; return this; }
  verification(...steps: string[]): this { (this.d.spec.verification ??= []).push(...steps); return this; }
  rollbackPlan(t: string): this { this.d.spec.rollbackPlan = t; return this; }
  decisionOwner(t: string): this { this.d.spec.decisionOwner = t; return this; }
  build(): MigrationDefinition { return structuredClone(this.d); }
}
