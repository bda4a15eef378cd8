/** Jest runs the TypeScript sources directly; type checking is `npm run typecheck`'s job. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // Worker threads started from the sources read transpiled modules from a disk cache: fill it once.
  globalSetup: '<rootDir>/scripts/ts-prewarm.cjs',
  testTimeout: 20000,
};
