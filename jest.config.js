/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }] },
  // ESM-only dependencies are compiled to CommonJS for the tests (Node itself loads them natively).
  transformIgnorePatterns: ['/node_modules/(?!(jose|ml-kmeans|ml-nearest-vector|ml-distance-euclidean|ml-spectra-processing|is-any-array)/)'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60000,
  // Two cores: more workers only fight over the CPU with the database and Redis.
  maxWorkers: 2,
  verbose: true,
  // Safety net for CI: a stray socket must not keep the run alive after every test finished.
  forceExit: true,
};
