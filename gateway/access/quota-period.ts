import type { QuotaPeriod } from './settings';

/**
 * Quota periods are calendar periods in UTC: a DAY quota runs from 00:00 to 24:00 UTC, not for a
 * rolling 24 hours; a WEEK starts on Sunday (the day AWS's QuotaSettings offset counts from), a
 * MONTH on its first day.
 */
export function periodBounds(period: QuotaPeriod, now: number): { start: number; end: number } {
  const d = new Date(now);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const day = Date.UTC(y, m, d.getUTCDate());
  switch (period) {
    case 'DAY':
      return { start: day, end: day + 86_400_000 };
    case 'WEEK': {
      const start = day - d.getUTCDay() * 86_400_000;
      return { start, end: start + 7 * 86_400_000 };
    }
    case 'MONTH':
      return { start: Date.UTC(y, m, 1), end: Date.UTC(y, m + 1, 1) };
  }
}

/** The UTC date of an instant, `YYYY-MM-DD` (GetUsage's day). */
export function utcDate(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}
