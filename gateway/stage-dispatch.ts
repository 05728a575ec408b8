import type { IncomingMessage, ServerResponse } from 'node:http';
import { Gateway } from './server';
import type { ServedApi } from './template-api';

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

/**
 * The gateways of a template's APIs: `first` serves the first, the others get its settings with
 * their own API, stage and stage variables (the config's on top); with one API, `first` alone.
 */
export function stageGateways(
  first: Gateway,
  apis: readonly ServedApi[] | undefined,
  stageVariables: Record<string, string> | undefined,
): {
  handler: RequestHandler;
  served: { logicalId: string | undefined; apiId: string; stage: string }[];
} {
  const gateways = [
    first,
    ...(apis ?? []).slice(1).map(
      (s) =>
        new Gateway({
          ...first.options,
          api: s.api,
          stage: s.stage,
          stageVariables: { ...s.stageVariables, ...stageVariables },
          // Each API has its own stage settings (and plans point at its id).
          access:
            s.access && first.options.access
              ? { ...first.options.access, settings: s.access }
              : first.options.access,
        }),
    ),
  ];
  const served = gateways.map((g, i) => ({
    logicalId: apis?.[i].logicalId,
    apiId: g.apiId,
    stage: g.options.stage,
  }));
  if (gateways.length === 1) return { handler: first, served };
  return { handler: stageDispatcher(new Map(gateways.map((g) => [g.options.stage, g]))), served };
}
