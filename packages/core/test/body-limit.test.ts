// Params too large for the server fail before any request, naming the limit: sending them would
// only earn a 413 (or a reset) after the upload, with nothing saying what to shrink.
import { HaltStateValidationError, MAX_REQUEST_BODY_BYTES } from '@haltstate/core';
import { api, json, makeClient, PREFIX, setupNock } from './helpers/api';

setupNock();

/** A fetch that counts what reaches it, so a test can prove nothing was sent. */
function countingFetch(): { fetch: typeof fetch; calls: () => number } {
  let calls = 0;
  return { fetch: (input, init) => (calls++, globalThis.fetch(input, init)), calls: () => calls };
}

describe('the request body limit', () => {
  it('is 256 KiB, the limit of @haltstate/local', () => {
    expect(MAX_REQUEST_BODY_BYTES).toBe(256 * 1024);
  });

  it('refuses guard params over the limit before sending anything, naming the limit', async () => {
    const { fetch, calls } = countingFetch();
    const fn = jest.fn();
    const error = await makeClient({ fetch }).guard({ action: 'doc.store', params: { body: 'x'.repeat(MAX_REQUEST_BODY_BYTES) }, idempotencyKey: 'k' }, fn).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HaltStateValidationError);
    expect(error).toMatchObject({ path: 'params' });
    expect((error as Error).message).toMatch(/POST \/api\/sentinel\/action\/guard: the request body would be \d+ bytes, over the 262144 bytes \(256 KiB\) a HaltState server accepts \(MAX_REQUEST_BODY_BYTES\); send smaller params/);
    expect(calls()).toBe(0);
    expect(fn).not.toHaveBeenCalled();
  });

  it('counts bytes, not characters', async () => {
    const { fetch, calls } = countingFetch();
    // 100 000 characters, 300 000 bytes in UTF-8.
    const error = await makeClient({ fetch }).check('doc.store', { params: { body: '€'.repeat(100_000) } }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'HaltStateValidationError', path: 'params' });
    expect(calls()).toBe(0);
  });

  it('sends params just under the limit', async () => {
    api().post(`${PREFIX}/action/check`).reply(200, { decision: 'ALLOW' }, json);
    const decision = await makeClient().check('doc.store', { params: { body: 'x'.repeat(MAX_REQUEST_BODY_BYTES - 1000) } });
    expect(decision.allowed).toBe(true);
  });

  it('gives a report whose result is over the limit to onReportError, without sending it', async () => {
    const { fetch, calls } = countingFetch();
    const onReportError = jest.fn();
    const client = makeClient({ fetch, onReportError });
    const decision = { decision: 'ALLOW', allowed: true, denied: false, requiresApproval: false, reason: '', policyId: null, latencyMs: 0, approvalId: null, requestId: 'r-1', failOpen: false, action: 'doc.store', agentId: 'bot-1' } as const;
    await client.report(decision, { status: 'success', result: { copy: 'x'.repeat(MAX_REQUEST_BODY_BYTES) } });
    const flushed = await client.flush({ timeoutMs: 1000 });
    expect(flushed.failed).toHaveLength(1);
    expect(onReportError).toHaveBeenCalledWith(expect.objectContaining({ name: 'HaltStateValidationError', path: 'result' }), expect.objectContaining({ id: 'r-1' }));
    expect(calls()).toBe(0);
  });
});
