/**
 * The log the embedded Lambda writes to: the gateway passes its own logger (same shape), so
 * function output lands in the gateway's log. Declared here because backends import nothing of
 * the gateway.
 */
export interface LambdaLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** A logger that drops everything. */
export const quietLogger: LambdaLogger = { debug() {}, info() {}, warn() {}, error() {} };
