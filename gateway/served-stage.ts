import type { Principal } from './auth/credentials';

/** What a running `apigw serve` tells its caller, whether one process serves or a cluster does. */
export interface ServedStage {
  /** Base URL of the stage, e.g. http://127.0.0.1:8080/S3. */
  readonly url: string;
  readonly port: number;
  readonly stage: string;
  readonly apiId: string;
  readonly principals: readonly Principal[];
  readonly developmentKeys: boolean;
}
