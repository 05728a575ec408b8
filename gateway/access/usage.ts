import { periodBounds, utcDate } from './quota-period';
import type { UsagePlanSetting } from './settings';
import type { StateStore } from './store';
import { usageDayKey } from './throttle';

/** GetUsage's answer (https://docs.aws.amazon.com/apigateway/latest/api/API_GetUsage.html). */
export interface Usage {
  usagePlanId: string;
  startDate: string;
  endDate: string;
  /** By API key id: one `[used, remaining]` per day of the range. */
  values: Record<string, [number, number][]>;
}

/** A problem with the request for a usage report: AWS's 400/404 and message. */
export class UsageRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const DAY = 86_400_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function parseDate(value: string | undefined, name: string): number {
  if (value === undefined || !DATE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)))
    throw new UsageRequestError(400, `Invalid ${name}: expected a date such as 2016-01-01`);
  return Date.parse(`${value}T00:00:00Z`);
}

/**
 * The usage of a plan's keys per UTC day from the store's daily counters. `remaining` is the
 * quota left at the end of that day in its period; a plan without a quota reports 0 (AWS does not
 * document that case).
 */
export async function usageReport(
  store: StateStore,
  plan: UsagePlanSetting,
  query: { startDate?: string; endDate?: string; keyId?: string },
): Promise<Usage> {
  const start = parseDate(query.startDate, 'startDate');
  const end = parseDate(query.endDate, 'endDate');
  if (end < start) throw new UsageRequestError(400, 'The endDate must not be before the startDate');
  if ((end - start) / DAY > 366) throw new UsageRequestError(400, 'A usage report covers at most 366 days');
  const keyIds = query.keyId === undefined ? plan.apiKeys : plan.apiKeys.filter((k) => k === query.keyId);
  if (query.keyId !== undefined && keyIds.length === 0)
    throw new UsageRequestError(404, `Invalid API Key identifier specified`);
  const quota = plan.quota;
  // Counting `remaining` needs the days of the first day's period before the range too.
  const from = quota ? periodBounds(quota.period, start).start : start;
  const days: string[] = [];
  for (let t = from; t <= end; t += DAY) days.push(utcDate(t));
  const values: Usage['values'] = {};
  for (const keyId of keyIds) {
    const counts = await store.readCounters(days.map((d) => usageDayKey(plan.id, keyId, d)));
    const series: [number, number][] = [];
    let periodStart = -1;
    let usedInPeriod = 0;
    days.forEach((day, i) => {
      const t = Date.parse(`${day}T00:00:00Z`);
      if (quota) {
        const bounds = periodBounds(quota.period, t);
        if (bounds.start !== periodStart) {
          periodStart = bounds.start;
          usedInPeriod = 0;
        }
        usedInPeriod += counts[i];
      }
      if (t < start) return;
      series.push([counts[i], quota ? Math.max(0, quota.limit - usedInPeriod) : 0]);
    });
    values[keyId] = series;
  }
  return { usagePlanId: plan.id, startDate: utcDate(start), endDate: utcDate(end), values };
}
