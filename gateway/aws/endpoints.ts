import { ConfigError } from '../config';

/**
 * Where one AWS service is reached: the embedded emulator, an explicit URL (MinIO, another
 * apigw, LocalStack...), or real AWS by region. Nothing ever falls through to AWS implicitly.
 */
export type EndpointSetting = { kind: 'embedded' } | { kind: 'url'; url: URL } | { kind: 'aws' };

/** Services apigw embeds an emulator for (Lambda runs only when functions are configured). */
export const EMBEDDED_SERVICES = new Set(['s3', 'lambda']);

/** Parses one `endpoints.<service>` value: `embedded`, `aws` or an http(s) URL. */
export function parseEndpointSetting(service: string, value: string): EndpointSetting {
  if (value === 'embedded') {
    if (!EMBEDDED_SERVICES.has(service)) {
      throw new ConfigError(`endpoints.${service}: there is no embedded ${service}; use a URL or 'aws'`);
    }
    return { kind: 'embedded' };
  }
  if (value === 'aws') return { kind: 'aws' };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(
      `endpoints.${service}: expected 'embedded', 'aws' or an http(s) URL, got ${JSON.stringify(value)}`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`endpoints.${service}: only http and https URLs are supported, got ${value}`);
  }
  return { kind: 'url', url };
}

/**
 * The public AWS endpoint of a service in a region: `{subdomain.}{hostPrefix}{service}.{region}`
 * (e.g. `streams.dynamodb.us-east-1.amazonaws.com`, `sync-states.eu-west-1.amazonaws.com`).
 */
export function awsEndpoint(service: string, region: string, host: HostLabels = {}): URL {
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  const subdomain = host.subdomain ? `${host.subdomain}.` : '';
  return new URL(`https://${subdomain}${host.hostPrefix ?? ''}${service}.${region}.${suffix}`);
}

/** What a uri adds to a service's host name: `{subdomain.}` and an operation's host prefix (`sync-`). */
export interface HostLabels {
  subdomain?: string;
  hostPrefix?: string;
}

/** Resolves the URL to call for a service, given the settings and the embedded emulators that run. */
export class EndpointResolver {
  constructor(
    private readonly settings: Record<string, EndpointSetting>,
    private readonly embedded: Record<string, URL>,
  ) {}

  /** The setting in force for a service (embedded by default when an emulator exists). */
  settingFor(service: string): EndpointSetting | undefined {
    return this.settings[service] ?? (EMBEDDED_SERVICES.has(service) ? { kind: 'embedded' } : undefined);
  }

  /**
   * The base URL for `service` in `region`, or undefined when the user configured none. An
   * operation on its own host (`sync-states`) may have a setting of its own, else the service's.
   */
  resolve(service: string, region: string, host: HostLabels = {}): URL | undefined {
    const own = host.hostPrefix ? this.settings[`${host.hostPrefix}${service}`] : undefined;
    const setting = own ?? this.settingFor(service);
    if (!setting) return undefined;
    if (setting.kind === 'url') return setting.url;
    if (setting.kind === 'aws') return awsEndpoint(service, region, host);
    return this.embedded[service];
  }
}

/** `--endpoint SERVICE=URL` values as endpoints.<service> settings (checked when the gateway starts). */
export function parseEndpointFlags(values: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    const service = eq < 0 ? '' : value.slice(0, eq);
    if (!/^[a-z0-9][a-z0-9.-]*$/.test(service)) {
      throw new ConfigError(
        `--endpoint expects SERVICE=URL (e.g. dynamodb=http://127.0.0.1:8000), got '${value}'`,
      );
    }
    out[service] = value.slice(eq + 1);
  }
  return out;
}
