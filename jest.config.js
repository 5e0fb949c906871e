/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/main.test.ts', '<rootDir>/test/**/*.test.ts', '<rootDir>/checker/test/**/*.test.ts'],
  // Types are stripped only: `npm test` runs tsc first, once, over every file.
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  reporters: ['default', '<rootDir>/scripts/jest-totals.cjs'],
  // The app imports the checker by its package name; in this repository that is its source.
  moduleNameMapper: { '^@k8s-101/manifest-checker$': '<rootDir>/checker/index.ts' },
  globalSetup: '<rootDir>/test/global-setup.ts',
  modulePathIgnorePatterns: ['<rootDir>/e2e/cluster/', '<rootDir>/checker/dist/'],
};
