import preset from '../../jest.preset.cjs';

const base = preset('ai-sdk');

// ai 7 and its @ai-sdk packages are ESM-only: swc compiles them to CommonJS for jest, like ky;
// they import a file of zod by its path (zod/v4/locales/en.js, ESM), so zod is compiled too.
export default { ...base, transformIgnorePatterns: ['/node_modules/(?!(ky|cookie|ai|@ai-sdk|@vercel/oidc|eventsource-parser|@workflow|zod)/)'] };
