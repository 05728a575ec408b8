import type { IncomingMessage, ServerResponse } from 'node:http';

/** Something that handles a request (a Gateway serving one API on one stage). */
export interface RequestHandler {
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

/**
 * Several APIs on one port, each under its own stage prefix (`/Prod/…` to one, `/dev/…` to
 * another): the first path segment picks the gateway. A request for no served stage goes to the
 * first one, which answers it as API Gateway answers an unknown stage.
 */
export function stageDispatcher(byStage: ReadonlyMap<string, RequestHandler>): RequestHandler {
  const [fallback] = byStage.values();
  return {
    handle(req, res) {
      const url = req.url ?? '/';
      const end = url.slice(1).search(/[/?]/);
      const stage = end < 0 ? url.slice(1) : url.slice(1, end + 1);
      return (byStage.get(stage) ?? fallback).handle(req, res);
    },
  };
}
