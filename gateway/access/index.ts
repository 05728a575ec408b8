/** API keys, usage plans, throttling, quotas and the stage cache, over one state store. */
export { apiKey } from './api-key';
export { cacheFill, cacheLookup } from './cache';
export { MemoryStore } from './memory-store';
export { RedisStore, RedisUnavailableError } from './redis-store';
export { compileAccess, reportAccess, type AccessOptions, type AccessRuntime } from './runtime';
export type { AccessConfig } from './settings';
export type { StateStore } from './store';
export { throttle } from './throttle';
