import { RecentRequests, WATCH_MS } from '../../gateway/console/recent';
import type { TraceRecord } from '../../gateway/observe/trace';

const trace = (requestId: string): TraceRecord => ({
  requestId,
  extendedRequestId: 'x',
  time: new Date(0).toISOString(),
  httpMethod: 'GET',
  path: '/dev/',
  resourcePath: '/',
  status: 200,
  latencyMs: 1,
  stages: [],
});

describe('the console store of recent requests', () => {
  test('keeps the newest, newest first, and finds one by request id', () => {
    const recent = new RecentRequests(3);
    for (const id of ['a', 'b', 'c', 'd']) recent.add({ trace: trace(id), accessLog: undefined });
    expect(recent.list().map((r) => r.trace.requestId)).toEqual(['d', 'c', 'b']);
    expect(recent.find('c')?.trace.requestId).toBe('c');
    expect(recent.find('a')).toBeUndefined();
  });

  test('requests are traced for it only while the page looks', () => {
    const recent = new RecentRequests();
    expect(recent.watched()).toBe(false);
    const now = jest.spyOn(Date, 'now');
    try {
      now.mockReturnValue(1_000_000);
      recent.look();
      expect(recent.watched()).toBe(true);
      now.mockReturnValue(1_000_000 + WATCH_MS);
      expect(recent.watched()).toBe(false);
    } finally {
      now.mockRestore();
    }
  });
});
