/** Tests run the TypeScript sources directly (ESM), type-checked separately by `tsc`. */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/test/bench/'],
  setupFiles: ['<rootDir>/test/quiet-node-20.ts'],
  // A safety net, not a timing assertion: embedded Postgres and synthesis are slow on a busy 2-core machine.
  testTimeout: 120_000,
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, diagnostics: false }],
  },
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
};
