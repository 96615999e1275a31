'use strict';
// CommonJS in both builds (tsc copies it into dist/cjs and dist/esm): its `require` loads
// tsyringe synchronously, resolved from this package's folder, and only when first called, so an
// app that never uses the tsyringe path does not need tsyringe installed. The literal name keeps
// bundlers able to see it (inside try, a missing one is no build error).

/**
 * tsyringe, or undefined when it is not installed (any other failure to load it is thrown).
 * @returns {unknown} typed by the caller, so these types never import tsyringe
 */
exports.loadTsyringe = function loadTsyringe() {
  try {
    return require('tsyringe');
  } catch (error) {
    if (error && error.code === 'MODULE_NOT_FOUND' && String(error.message).includes("'tsyringe'")) return undefined;
    throw error;
  }
};
