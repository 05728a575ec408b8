/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // tsconfig sets isolatedModules, so ts-jest only transpiles; `tsc` (build, typecheck) checks types once.
  transform: { '^.+\\.ts$': 'ts-jest' },
  testTimeout: 30000,
};
