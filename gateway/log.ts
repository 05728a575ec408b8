/** The logger lives in lib/ (below every layer); re-exported for the gateway's modules. */
export * from '../lib/log';
