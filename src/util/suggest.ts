/** "did you mean `pause`?" for a misspelt key or value. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const limit = Math.max(1, Math.floor(Math.max(word.length, 3) / 3));
  let best: string | undefined;
  let bestScore = Infinity;
  const w = word.toLowerCase();
  for (const c of candidates) {
    // The distance is at least the difference in length: a candidate that far off can be neither
    // the answer nor beat one within the limit (lint asks this of every metric name against a
    // library of hundreds). Nor can one more than MAX_LENGTH_GAP off, however long the word.
    const lower = c.toLowerCase();
    if (Math.abs(lower.length - w.length) > Math.min(limit, MAX_LENGTH_GAP)) continue;
    const d = editDistance(w, lower);
    if (d < bestScore) {
      bestScore = d;
      best = c;
    }
  }
  return best !== undefined && bestScore <= limit ? best : undefined;
}

export function didYouMean(word: string, candidates: readonly string[]): string {
  const c = closest(word, candidates);
  return c === undefined ? '' : ` (did you mean \`${c}\`?)`;
}

/** Words whose lengths differ by more than this are never suggested for each other. */
const MAX_LENGTH_GAP = 8;

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}
