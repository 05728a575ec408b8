import type { Logger } from '../log';
import { DEVELOPMENT_KEYS } from '../auth/credentials';

/** The key apigw signs its calls to AWS services (real or emulated) with. */
export interface OutboundCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** Where they came from, for the start-up log. */
  source: 'environment' | 'sdk-default-chain' | 'development';
}

/**
 * Resolves outbound credentials in order: the environment's AWS_ACCESS_KEY_ID/SECRET, the AWS
 * SDK's default provider chain (shared config/credentials files, SSO, process, web identity),
 * then the development pair. The EC2 instance-metadata service is not asked unless the user
 * explicitly sets AWS_EC2_METADATA_DISABLED=false: off EC2 it only adds a start-up delay.
 */
export async function resolveOutboundCredentials(
  env: NodeJS.ProcessEnv,
  log: Logger,
): Promise<OutboundCredentials> {
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    return {
      accessKeyId: env.AWS_ACCESS_KEY_ID,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
      sessionToken: env.AWS_SESSION_TOKEN || undefined,
      source: 'environment',
    };
  }
  const previous = process.env.AWS_EC2_METADATA_DISABLED;
  if (previous === undefined) process.env.AWS_EC2_METADATA_DISABLED = 'true';
  try {
    // Loaded only when needed: the SDK's provider chain is heavy and most runs never reach it.
    const { defaultProvider } = await import('@aws-sdk/credential-provider-node');
    const found = await defaultProvider({ profile: env.AWS_PROFILE })();
    return {
      accessKeyId: found.accessKeyId,
      secretAccessKey: found.secretAccessKey,
      sessionToken: found.sessionToken,
      source: 'sdk-default-chain',
    };
  } catch (e) {
    // A profile the user named but that does not exist deserves more than a debug line.
    const report = env.AWS_PROFILE ? log.warn : log.debug;
    report(`no credentials from the AWS SDK default chain: ${(e as Error).message}`);
    return { ...DEVELOPMENT_KEYS, source: 'development' };
  } finally {
    if (previous === undefined) delete process.env.AWS_EC2_METADATA_DISABLED;
  }
}
