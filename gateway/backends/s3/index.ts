import { S3Server, type S3ServerOptions } from './server';
import { DiskStore } from './store';

export { S3Server, type S3ServerOptions } from './server';
export type { Owner, S3User } from './identity';
export { DataDirInUseError } from './store';

export interface StartS3Options extends Omit<S3ServerOptions, 'store'> {
  /** The data directory; objects live under `<dataDir>/s3/`. */
  dataDir: string;
  port: number;
  host: string;
}

/** An embedded S3 that is listening. */
export interface RunningS3 {
  /** Base URL for clients, e.g. http://127.0.0.1:4568. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Opens the store under dataDir and starts serving S3 on host:port (0 picks a free port). */
export async function startS3Server(options: StartS3Options): Promise<RunningS3> {
  const store = new DiskStore(options.dataDir, options.log);
  await store.open();
  const server = new S3Server({ ...options, store });
  const address = await server.listen(options.port, options.host);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    async close() {
      await server.close();
      await store.close();
    },
  };
}
