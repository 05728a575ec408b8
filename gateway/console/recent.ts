import type { RecentRequest, RequestSink } from '../observe';

/** How many finished requests the console keeps (oldest dropped first). */
export const RECENT_REQUESTS = 100;

/** How long after the console last asked for anything requests are still traced for it. */
export const WATCH_MS = 60_000;

/** The last requests with their traces and access log lines, newest first. */
export class RecentRequests implements RequestSink {
  private readonly items: RecentRequest[] = [];
  private lastLook = -Infinity;

  constructor(private readonly size = RECENT_REQUESTS) {}

  add(request: RecentRequest): void {
    this.items.push(request);
    if (this.items.length > this.size) this.items.shift();
  }

  /** The console asked for something: requests are traced for it for a while. */
  look(): void {
    this.lastLook = Date.now();
  }

  watched(): boolean {
    return Date.now() - this.lastLook < WATCH_MS;
  }

  list(): RecentRequest[] {
    return [...this.items].reverse();
  }

  find(requestId: string): RecentRequest | undefined {
    return this.items.find((r) => r.trace.requestId === requestId);
  }
}
