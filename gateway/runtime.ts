import type { Method } from '../openapi/model';
import type { AccessRuntime } from './access/runtime';
import type { CompiledMethod } from './compile';
import type { AwsIntegrationDeps } from './integrations/aws';
import type { Router } from './router';
import type { AuthorizationSettings } from './stages/authorize';

/** What the lifecycle's stages share for the life of a loaded API: its compiled form and the gateway's dependencies. */
export interface GatewayRuntime extends AwsIntegrationDeps {
  readonly stage: string;
  readonly router: Router;
  /** Every method of the API, compiled at load (see compile.ts). */
  readonly methods: ReadonlyMap<Method, CompiledMethod>;
  readonly authorization: AuthorizationSettings;
  /** The payload limit of requests and responses, in bytes (Infinity: `--max-payload none`). */
  readonly maxPayload: number;
  /** API keys, usage plans, throttling and the stage cache (gateway/access); absent: none apply. */
  readonly access?: AccessRuntime;
}
