/** Times as the reports count and word them. */

/** The value at fraction q of sorted values (nearest rank): p50 is the median. */
export function percentile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1] ?? null;
}

/** Minutes as staff read them: "45 min", "5.5 h", "3.2 days". */
export function formatMinutes(minutes: number | null): string {
  if (minutes === null) return '—';
  // Timestamps subtract to fractions of a millisecond off: 59.99999 minutes is an hour.
  minutes = Math.round(minutes);
  if (minutes < 60) return `${Math.round(minutes)} min`;
  if (minutes < 48 * 60) return `${round1(minutes / 60)} h`;
  return `${round1(minutes / 1440)} days`;
}

export function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
