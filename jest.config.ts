import type { Config } from 'jest';

const config: Config = {
  projects: ['<rootDir>/packages/*/jest.config.ts', '<rootDir>/examples/*/jest.config.ts'],
  globalSetup: '<rootDir>/test-support/global-setup.ts',
  globalTeardown: '<rootDir>/test-support/global-teardown.ts',
};

export default config;
