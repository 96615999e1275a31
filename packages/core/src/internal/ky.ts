// The one module that imports ky. ky ships only ES modules, which a CommonJS loader without
// require(esm) (jest's module system, ts-node, older bundlers) cannot load: the CommonJS build
// replaces this module with a copy of ky bundled as CommonJS (scripts/build.mjs, docs/build.md).
// The ESM build keeps importing the ky package.
export { default } from 'ky';
export type { KyInstance, Options } from 'ky';
