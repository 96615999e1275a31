import nock from 'nock';

/**
 * nock for a test file: no real network, and every interceptor a test set up must have been
 * used by the end of it (a request the code should have sent and did not fails the test).
 */
export function setupNock(): void {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => {
    const pending = nock.pendingMocks();
    nock.cleanAll();
    expect(pending).toEqual([]);
  });
  afterAll(() => nock.enableNetConnect());
}
