/** Every API key used in a test contains this, so the secret scan can find a leak. */
export const TEST_SECRET_MARKER = 'SECRET-do-not-leak';

/** A test API key. */
export const testKey = (name = 'main') => `hs_test_${name}_${TEST_SECRET_MARKER}`;
