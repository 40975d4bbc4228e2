/**
 * The Kubernetes snippets of docs/integrations.md are valid for their operators, and they ask the
 * gate server what it answers: Argo's AnalysisTemplate against Argo Rollouts' schema, Flagger's
 * webhooks against the fields of Flagger's Canary CRD (test/fixtures/k8s-crds/README.md).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AnalysisTemplate } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/AnalysisTemplate';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { HTTP_STATUS, NOT_ROLLBACK_STATUS } from '../../src/live/server';
import { REPO } from '../helpers/cli';

const DOC = readFileSync(join(REPO, 'docs', 'integrations.md'), 'utf8');

/** The YAML block between `<!-- snippet: name -->` and `<!-- /snippet -->`. */
function snippet(name: string): Record<string, unknown> {
  const m = new RegExp(`<!-- snippet: ${name} -->\\n\`\`\`yaml\\n([\\s\\S]*?)\`\`\`\\n<!-- /snippet -->`).exec(DOC);
  if (!m) throw new Error(`docs/integrations.md has no snippet ${name}`);
  return parse(m[1]!) as Record<string, unknown>;
}

const VERDICTS = Object.keys(HTTP_STATUS);

describe('docs/integrations.md: Argo Rollouts AnalysisTemplate', () => {
  const doc = snippet('argo-analysis-template') as { apiVersion: string; kind: string; spec: { metrics: Array<Record<string, unknown> & { provider: { web: Record<string, unknown> } }> } };

  it("is valid for Argo Rollouts' AnalysisTemplate schema", () => {
    expect(doc).toMatchObject({ apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisTemplate' });
    expect(() => new AnalysisTemplate(doc as never).validate()).not.toThrow();
    // The validator accepts unknown fields (the API server would prune them): the web provider uses only Argo's.
    for (const m of doc.spec.metrics) expect(Object.keys(m.provider.web).every((k) => ['url', 'method', 'headers', 'body', 'jsonBody', 'timeoutSeconds', 'jsonPath', 'insecure', 'authentication'].includes(k))).toBe(true);
  });

  it('a misspelt or mistyped field is refused (the validation can fail)', () => {
    const bad = structuredClone(doc);
    bad.spec.metrics[0]!.interval = 30;
    expect(() => new AnalysisTemplate(bad as never).validate()).toThrow(/interval must be string/);
  });

  it('reads the verdict from /verdict (always 200) and judges it: proceed succeeds, rollback fails, the rest is inconclusive', () => {
    const m = doc.spec.metrics[0]!;
    expect(m.provider.web.url).toMatch(/\/verdict"?$/);
    expect(m.provider.web.jsonPath).toBe('{$.verdict}');
    expect(m.successCondition).toBe('result == "proceed"');
    expect(m.failureCondition).toBe('result == "rollback"');
    expect(VERDICTS).toEqual(expect.arrayContaining(['proceed', 'pause', 'rollback', 'unknown']));
    // Argo evaluates `result == "<verdict>"`: exactly one verdict succeeds, one fails, none is both.
    const verdictOf = (cond: unknown) => /^result == "([a-z]+)"$/.exec(String(cond))?.[1];
    expect(VERDICTS.filter((v) => v === verdictOf(m.successCondition))).toEqual(['proceed']);
    expect(VERDICTS.filter((v) => v === verdictOf(m.failureCondition))).toEqual(['rollback']);
    expect(m.inconclusiveLimit).toBe(0);
    expect(m.failureLimit).toBe(0);
  });
});

describe('docs/integrations.md: Flagger Canary', () => {
  const doc = snippet('flagger-canary') as { apiVersion: string; kind: string; spec: { analysis: { webhooks: Array<{ type: string; url: string }> } } };
  const validate = new Ajv({ strict: true }).compile(JSON.parse(readFileSync(join(REPO, 'test', 'fixtures', 'k8s-crds', 'flagger-canary-webhook.schema.json'), 'utf8')) as object);

  it("every webhook has exactly the fields of Flagger's CRD", () => {
    expect(doc).toMatchObject({ apiVersion: 'flagger.app/v1beta1', kind: 'Canary' });
    for (const w of doc.spec.analysis.webhooks) expect(validate(w), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ name: 'x', type: 'confirm-rollouts', url: 'http://x' })).toBe(false);
    expect(validate({ name: 'x', type: 'rollback', url: 'http://x', timeOut: '5s' })).toBe(false);
  });

  it('confirm hooks ask /check (2xx only for proceed); the rollback hook asks /rollback (2xx only for rollback)', () => {
    const hooks = doc.spec.analysis.webhooks;
    for (const h of hooks.filter((x) => x.type.startsWith('confirm-'))) expect(h.url).toMatch(/\/check$/);
    const rollback = hooks.filter((x) => x.type === 'rollback');
    expect(rollback).toHaveLength(1);
    expect(rollback[0]!.url).toMatch(/\/rollback$/);
    // Flagger goes on 200-202 only.
    const go = (status: number) => status >= 200 && status <= 202;
    expect(VERDICTS.filter((v) => go(HTTP_STATUS[v as keyof typeof HTTP_STATUS]))).toEqual(['proceed']);
    expect(go(NOT_ROLLBACK_STATUS)).toBe(false);
  });
});
