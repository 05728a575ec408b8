import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Gateway, GatewayHandler } from '../server';

/** Handles a path of its own beside the API's stage routes (the console). */
export interface SideHandler {
  /** Whether `url` is this handler's (checked before the API's routes). */
  owns(url: string): boolean;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

/**
 * What the server hands requests to when the API can change while it runs: the current Gateway,
 * swapped whole on reload (requests in flight finish on the Gateway they started with, since each
 * keeps its own compiled API), and the console's own paths.
 */
export class LiveGateway implements GatewayHandler {
  private current: Gateway;
  /** The console, when on. */
  side: SideHandler | undefined;

  constructor(gateway: Gateway) {
    this.current = gateway;
  }

  /** The Gateway new requests go to. */
  get gateway(): Gateway {
    return this.current;
  }

  handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.side && this.side.owns(req.url ?? '/')) return this.side.handle(req, res);
    return this.current.handle(req, res);
  }

  /** New requests go to `gateway` from now on; one assignment, so no request sees half of a change. */
  swap(gateway: Gateway): void {
    this.current = gateway;
  }
}
