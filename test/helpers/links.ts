/**
 * Cross-file link checker for an output folder (the layout of names.ts FILES: docs/<id>/*.md,
 * prometheus/rules/<id>.yaml, grafana/dashboards/<id>.json). Every relative Markdown link
 * `file.md#anchor` / `#anchor` must point at an existing file and an anchor defined there
 * (`<a id="...">` or a heading's GitHub slug); every `runbook_url` in the rules and every runbook
 * link in the dashboard must name an anchor that exists in that migration's runbook. Links with
 * any scheme other than http(s) are reported as unsafe.
 * Returns one message per problem (empty = all good).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { parse } from 'yaml';
import { DIRS, FILES } from '../../src/generate/names';

export interface MarkdownLink {
  text: string;
  target: string;
  line: number;
}

/** Remove fenced code blocks (keeping line count), so links and headings inside code are ignored. */
function withoutFences(text: string): string[] {
  let fence: string | undefined;
  return text.split('\n').map((line) => {
    const m = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (fence) {
      if (m && m[1]![0] === fence[0] && m[1]!.length >= fence.length && line.trim() === m[1]) fence = undefined;
      return '';
    }
    if (m) {
      fence = m[1];
      return '';
    }
    return line;
  });
}

/** A line with backslash escapes and code spans blanked out, so `\[x\](y)` and `` `[x](y)` `` are not links. */
function inlineText(line: string): string {
  return line.replace(/\\./g, '__').replace(/(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g, (m) => '_'.repeat(m.length));
}

export function markdownLinks(text: string): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  withoutFences(text).forEach((raw, i) => {
    const line = inlineText(raw);
    for (const m of line.matchAll(/!?\[([^\]]*)\]\(([^()\s]*(?:\([^()\s]*\)[^()\s]*)*)(?:\s+"[^"]*")?\)/g)) {
      // Read the target from the raw line: blanking escapes kept offsets, and targets hold no code spans.
      const start = m.index! + m[0].indexOf('](') + 2;
      links.push({ text: raw.slice(m.index! + 1, m.index! + 1 + m[1]!.length), target: raw.slice(start, start + m[2]!.length), line: i + 1 });
    }
    // Autolinks and raw HTML links count too (a renderer makes them live).
    for (const m of line.matchAll(/<([a-z][a-z0-9+.-]*:[^>\s]*)>|<a\s[^>]*href="([^"]*)"/gi)) links.push({ text: '', target: (m[1] ?? m[2])!, line: i + 1 });
  });
  return links;
}

/** GitHub's heading slug: lower-case, punctuation dropped, spaces to dashes. */
export function headingSlug(heading: string): string {
  const plain = heading
    .replace(/<[^>]*>/g, '')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\\(.)/g, '$1')
    .replace(/&(lt|gt|amp|quot);/g, '')
    .replace(/`/g, '');
  return plain
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Anchors a Markdown file defines: `<a id>` / `<a name>` and heading slugs (duplicates get -1, -2...). */
export function markdownAnchors(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of withoutFences(text)) {
    for (const m of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(m[1]!);
    const h = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!h) continue;
    const slug = headingSlug(h[1]!);
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return anchors;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

const SCHEME = /^([a-z][a-z0-9+.-]*):/i;

export function checkLinks(dir: string): string[] {
  const problems: string[] = [];
  const files = filesUnder(dir);
  const anchorCache = new Map<string, Set<string>>();
  const anchorsOf = (file: string): Set<string> => {
    if (!anchorCache.has(file)) anchorCache.set(file, markdownAnchors(readFileSync(file, 'utf8')));
    return anchorCache.get(file)!;
  };
  const rel = (p: string): string => relative(dir, p) || p;

  /** Check one relative target from `from` (a file); `where` names the place for messages. */
  const checkTarget = (from: string, target: string, where: string): void => {
    const scheme = SCHEME.exec(target)?.[1]?.toLowerCase();
    if (scheme) {
      if (scheme !== 'http' && scheme !== 'https') problems.push(`${where}: unsafe link target ${target}`);
      return;
    }
    if (target.startsWith('/') || target.startsWith('?')) return; // server paths (Grafana /d/...): not files
    const [path, anchor] = target.split('#', 2) as [string, string | undefined];
    const file = path === '' ? from : normalize(join(dirname(from), decodeURIComponent(path)));
    if (!existsSync(file)) {
      problems.push(`${where}: ${target}: file ${rel(file)} does not exist`);
      return;
    }
    if (anchor !== undefined && file.endsWith('.md') && !anchorsOf(file).has(anchor)) problems.push(`${where}: ${target}: no anchor #${anchor} in ${rel(file)}`);
  };

  for (const file of files.filter((f) => f.endsWith('.md'))) {
    for (const link of markdownLinks(readFileSync(file, 'utf8'))) checkTarget(file, link.target, `${rel(file)}:${link.line}`);
  }

  // Alert annotations and dashboard links point into the migration's runbook: `<runbookBaseUrl>/<id>/runbook.md#a`,
  // or without a base URL its path in the output folder, `docs/<id>/runbook.md#a` (names.ts FILES).
  const runbookAnchor = (id: string, url: string, where: string): void => {
    const m = /(?:^|\/)runbook\.md#([^#?]*)$/.exec(url);
    if (!m) {
      problems.push(`${where}: ${url} does not point at a runbook.md anchor`);
      return;
    }
    const path = FILES.runbook(id);
    if (!SCHEME.test(url) && url !== `${path}#${m[1]}`) {
      problems.push(`${where}: ${url} is relative but not ${path}#... (the runbook's path in the output folder)`);
      return;
    }
    if (SCHEME.test(url) && !url.includes(`/${encodeURIComponent(id)}/runbook.md#`)) problems.push(`${where}: ${url} does not name the migration ${id}`);
    checkTarget(join(dir, '.root'), `${path}#${m[1]}`, where);
  };
  const idOf = (file: string, folder: string, ext: string): string | undefined => {
    const r = relative(join(dir, folder), file);
    return r.endsWith(ext) && !r.includes('/') ? r.slice(0, -ext.length) : undefined;
  };
  for (const file of files) {
    const id = idOf(file, DIRS.rules, '.yaml');
    if (id === undefined) continue;
    const doc = parse(readFileSync(file, 'utf8')) as { groups?: { rules?: { alert?: string; annotations?: Record<string, string> }[] }[] };
    for (const group of doc?.groups ?? []) {
      for (const rule of group.rules ?? []) {
        if (!rule.alert) continue;
        const url = rule.annotations?.runbook_url;
        if (!url) problems.push(`${rel(file)}: alert ${rule.alert} has no runbook_url`);
        else runbookAnchor(id, url, `${rel(file)}: ${rule.alert} runbook_url`);
      }
    }
  }
  for (const file of files) {
    const id = idOf(file, DIRS.dashboards, '.json');
    if (id === undefined) continue;
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/"url":\s*"([^"]*runbook\.md#[^"]*)"/g)) runbookAnchor(id, m[1]!, `${rel(file)}: link`);
  }
  return problems;
}
