/**
 * apigw as a library (`require('apigw')`): the Express middleware, and the pieces `apigw serve`
 * is made of for programs that start a gateway themselves.
 */
export { middleware, type GatewayMiddleware, type MiddlewareOptions } from './middleware';
export { startGateway, ApiLoadError, type RunningGateway, type ServeConfig } from './serve';
export { ConfigError, type ApigwConfig } from './config';
export { createLogger, type Logger, type LogLevel } from './log';
export { startS3Server, type RunningS3 } from './backends/s3';
export { startLambdaServer, type RunningLambda } from './backends/lambda';
