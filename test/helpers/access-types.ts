import type { parseFunctions } from '../../gateway/backends/lambda';

/** The embedded Lambda's functions, as `parseFunctions` returns them. */
export type ParsedFunctions = ReturnType<typeof parseFunctions>;
