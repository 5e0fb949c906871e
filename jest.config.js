/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/main.test.ts', '<rootDir>/test/**/*.test.ts'],
  transform: { '^.+\\.ts$': '<rootDir>/scripts/jest-esbuild.cjs' },
  reporters: ['default', '<rootDir>/scripts/jest-totals.cjs'],
  modulePathIgnorePatterns: ['<rootDir>/e2e/cluster/'],
};
