import { format } from 'node:util';
import type { LogLevel } from './protocol';

/**
 * Routes the function's `console` to the runtime, one message per call, as Lambda's runtime
 * turns each console call into one log record (`INFO`, `WARN`, … with the request id).
 */
export function captureConsole(write: (level: LogLevel, text: string) => void): void {
  const levels: Array<[keyof Console, LogLevel]> = [
    ['log', 'INFO'],
    ['info', 'INFO'],
    ['warn', 'WARN'],
    ['error', 'ERROR'],
    ['debug', 'DEBUG'],
  ];
  const target = console as unknown as Record<string, (...args: unknown[]) => void>;
  for (const [method, level] of levels)
    target[method] = (...args: unknown[]) => write(level, format(...args));
  target.trace = (...args: unknown[]) => {
    const stack = (new Error().stack ?? '').split('\n').slice(2).join('\n');
    write('TRACE', `Trace: ${format(...args)}\n${stack}`);
  };
}
