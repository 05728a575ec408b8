/** Minimal leveled logger writing to stderr, so stdout stays for what the user asked for. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const ORDER: LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

/** A logger that prints messages at or above `level`. */
export function createLogger(
  level: LogLevel = 'info',
  write: (line: string) => void = (l) => process.stderr.write(l),
): Logger {
  const min = ORDER.indexOf(level);
  const at = (lvl: LogLevel) => (message: string) => {
    if (ORDER.indexOf(lvl) >= min) write(`${new Date().toISOString()} ${lvl.toUpperCase()} ${message}\n`);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export const silentLogger: Logger = createLogger('silent');
