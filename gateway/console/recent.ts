import type { RecentRequest, RequestSink } from '../observe';

/** How many finished requests the console keeps (oldest dropped first). */
export const RECENT_REQUESTS = 100;

/** The last requests with their traces and access log lines, newest first. */
export class RecentRequests implements RequestSink {
  private readonly items: RecentRequest[] = [];

  constructor(private readonly size = RECENT_REQUESTS) {}

  add(request: RecentRequest): void {
    this.items.push(request);
    if (this.items.length > this.size) this.items.shift();
  }

  list(): RecentRequest[] {
    return [...this.items].reverse();
  }

  find(requestId: string): RecentRequest | undefined {
    return this.items.find((r) => r.trace.requestId === requestId);
  }
}
