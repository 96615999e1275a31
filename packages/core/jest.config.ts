import preset from '../../jest.preset.cjs';

const config = preset('core');
// The subpath export `@haltstate/core/schemas` maps to its source, like the main entry.
config.moduleNameMapper = { '^@haltstate/core/schemas$': '<rootDir>/src/schemas/index.ts', ...config.moduleNameMapper };

export default config;
