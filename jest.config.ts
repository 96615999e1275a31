import type { Config } from 'jest';

const config: Config = {
  projects: ['<rootDir>/packages/*/jest.config.ts', '<rootDir>/examples/*/jest.config.ts'],
  globalSetup: '<rootDir>/test-support/global-setup.ts',
  globalTeardown: '<rootDir>/test-support/global-teardown.ts',
  // A global option: set in a project (jest.preset.cjs) it is ignored when jest runs from here.
  // Several tests spawn processes or run hundreds of property cases; on a busy 2-core CI machine
  // jest's 5 s default fails them for nothing. No test asserts on time; this only bounds a hang.
  testTimeout: 30_000,
};

export default config;
