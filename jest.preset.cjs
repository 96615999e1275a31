// Shared jest settings for every package. Jest stays CommonJS; swc compiles TypeScript (with
// legacy decorators and their metadata) and the ESM-only packages, which are not ignored.
const path = require('node:path');

const swc = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

/**
 * @param {string} name the folder under `parent`
 * @param {string} parent `packages` or `examples`
 */
module.exports = (name, parent = 'packages') => ({
  displayName: parent === 'packages' ? name : `example ${name}`,
  rootDir: path.join(__dirname, parent, name),
  testEnvironment: 'node',
  testEnvironmentOptions: { globalsCleanup: 'off' },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  transform: { '^.+\\.(t|m?j)s$': ['@swc/jest', swc] },
  setupFilesAfterEnv: [path.join(__dirname, 'test-support/secret-scan.setup.ts')],
  // cookie 2 (fastify's inject, via light-my-request) is ESM-only too.
  transformIgnorePatterns: ['/node_modules/(?!(ky|cookie)/)'],
  moduleNameMapper: {
    '^@haltstate/core/schemas$': path.join(__dirname, 'packages/core/src/schemas/index.ts'),
    '^@haltstate/([a-z-]+)$': path.join(__dirname, 'packages/$1/src/index.ts'),
    '^@test-support/(.*)$': path.join(__dirname, 'test-support/$1'),
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
});
