/**
 * The candidate a mistyped name most likely meant, or undefined when none is close: a
 * suggestion further away than half the name is a guess, not a typo.
 */
export function closestName(typed: string, candidates: readonly string[]): string | undefined {
  let best: {name: string; distance: number} | undefined;
  for (const name of candidates) {
    const distance = editDistance(typed, name);
    if (!best || distance < best.distance) best = {name, distance};
  }
  return best && best.distance <= Math.max(2, Math.ceil(best.name.length / 2)) ? best.name : undefined;
}

function editDistance(a: string, b: string): number {
  if (a.length > 200) return Number.POSITIVE_INFINITY;
  let previous = Array.from({length: b.length + 1}, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
