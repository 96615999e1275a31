// While an agent waits for a human, someone must be told at once: `onApprovalRequested` is called
// once when a guard or execute starts to wait, and a debug line names the approval. A hook that
// throws or rejects never changes what the call does.
import { HaltStateClient, type ApprovalRequest } from '@haltstate/core';
import { api, json, KEY, makeClient, PREFIX, setupNock } from './helpers/api';

setupNock();

/** pending → the approval's GET says approved → the re-ask says approved. */
function approvedAfterWait(id: string, steps: string[] = []): void {
  api().post(`${PREFIX}/action/guard`).reply(200, () => (steps.push('guard'), { status: 'pending', approval_id: id }), json);
  api().get(`${PREFIX}/approval/${id}`).reply(200, () => (steps.push('get'), { status: 'approved', approver: 'alice' }), json);
  api().post(`${PREFIX}/action/guard`).reply(200, { status: 'approved', approval_id: id, approver: 'alice' }, json);
  api().post(`${PREFIX}/action/guard/report`).reply(200, {}, json);
}

describe('onApprovalRequested', () => {
  it('is called once, before the wait starts, with the approval, action, agent and key', async () => {
    const steps: string[] = [];
    approvedAfterWait('apr_1', steps);
    const requests: ApprovalRequest[] = [];
    const client = makeClient({ onApprovalRequested: (request) => void (steps.push('hook'), requests.push(request)) });
    const fn = jest.fn(() => 'paid');
    await expect(client.guard({ action: 'payment.process', params: { amount: 5000 }, idempotencyKey: 'pay-1', wait: true }, fn)).resolves.toBe('paid');
    expect(requests).toEqual([{ approvalId: 'apr_1', action: 'payment.process', agentId: 'bot-1', idempotencyKey: 'pay-1', url: undefined }]);
    expect(steps).toEqual(['guard', 'hook', 'get']);
    await client.flush();
  });

  it('calls the client hook, then the call hook of wait, and builds the url from approvalUrl', async () => {
    approvedAfterWait('apr_2');
    const calls: string[] = [];
    const client = makeClient({ onApprovalRequested: ({ url }) => void calls.push(`client ${url}`), approvalUrl: 'https://approvals.example/#/{approvalId}' });
    await client.guard({ action: 'a.b', idempotencyKey: 'k', wait: { onApprovalRequested: ({ approvalId }) => void calls.push(`call ${approvalId}`) } }, () => 1);
    expect(calls).toEqual(['client https://approvals.example/#/apr_2', 'call apr_2']);
    await client.flush();
  });

  it('execute (check flow) names the approval of the check, with no key', async () => {
    api().post(`${PREFIX}/action/check`).reply(200, { decision: 'APPROVAL_REQUIRED', approval_id: 'apr_3' }, json);
    api().get(`${PREFIX}/approval/apr_3`).reply(200, { status: 'approved', approver: 'alice' }, json);
    api().post(`${PREFIX}/action/report`).reply(200, {}, json);
    const hook = jest.fn();
    const client = makeClient({ onApprovalRequested: hook, approvalUrl: (id) => `https://a.example/${id}` });
    await client.execute({ action: 'email.send', params: { to: 'x@y' }, wait: true }, () => 'sent');
    expect(hook).toHaveBeenCalledTimes(1);
    expect(hook).toHaveBeenCalledWith({ approvalId: 'apr_3', action: 'email.send', agentId: 'bot-1', idempotencyKey: null, url: 'https://a.example/apr_3' });
    await client.flush();
  });

  it('is not called when nothing waits: allowed, or pending without wait', async () => {
    api().post(`${PREFIX}/action/guard`).reply(200, { status: 'allowed' }, json);
    api().post(`${PREFIX}/action/guard/report`).reply(200, {}, json);
    api().post(`${PREFIX}/action/guard`).reply(200, { status: 'pending', approval_id: 'apr_4' }, json);
    const hook = jest.fn();
    const client = makeClient({ onApprovalRequested: hook });
    await client.guard({ action: 'a.b', idempotencyKey: 'k1' }, () => 1);
    await expect(client.guard({ action: 'a.b', idempotencyKey: 'k2' }, () => 1)).rejects.toMatchObject({ name: 'ApprovalPending' });
    expect(hook).not.toHaveBeenCalled();
    await client.flush();
  });

  it.each([
    ['throws', () => { throw new Error('slack is down'); }],
    ['rejects', async () => { throw new Error('slack is down'); }],
  ])('a hook that %s changes nothing: the approved action runs, and a warning says why', async (_, hook) => {
    approvedAfterWait('apr_5');
    const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const client = makeClient({ onApprovalRequested: hook });
      await expect(client.guard({ action: 'a.b', idempotencyKey: 'k', wait: true }, () => 'ran')).resolves.toBe('ran');
      expect(emitWarning.mock.calls).toEqual([[expect.stringMatching(/^onApprovalRequested failed for approval apr_5: slack is down; the wait goes on$/), { code: 'HALTSTATE_HOOK_FAILED' }]]);
      await client.flush();
    } finally {
      emitWarning.mockRestore();
    }
  });
});

describe('the approval-requested log line', () => {
  const saved = process.env.HALTSTATE_LOG;
  afterEach(() => {
    if (saved === undefined) delete process.env.HALTSTATE_LOG;
    else process.env.HALTSTATE_LOG = saved;
    jest.restoreAllMocks();
  });

  it('goes to stderr at debug level when HALTSTATE_LOG=debug, naming the approval (never the key)', async () => {
    approvedAfterWait('apr_6');
    process.env.HALTSTATE_LOG = 'debug';
    const written: string[] = [];
    jest.spyOn(process.stderr, 'write').mockImplementation(((chunk: string) => (written.push(String(chunk)), true)) as typeof process.stderr.write);
    const client = makeClient();
    await client.guard({ action: 'payment.process', idempotencyKey: 'pay-6', wait: { timeoutMs: 300_000 } }, () => 1);
    const lines = written.filter((line) => line.startsWith('[haltstate] debug'));
    expect(lines).toEqual([expect.stringMatching(/approval apr_6 requested: "payment\.process" by agent "bot-1" \(key pay-6\) waits for a human decision, up to 300 s/)]);
    expect(lines.join('')).not.toContain(KEY);
    await client.flush();
  });

  it('is silent by default', async () => {
    approvedAfterWait('apr_7');
    delete process.env.HALTSTATE_LOG;
    const write = jest.spyOn(process.stderr, 'write');
    const client = makeClient();
    await client.guard({ action: 'a.b', idempotencyKey: 'k', wait: true }, () => 1);
    expect(write.mock.calls.filter(([chunk]) => String(chunk).startsWith('[haltstate]'))).toEqual([]);
    await client.flush();
  });

  it('goes to the logger option instead, whatever HALTSTATE_LOG says', async () => {
    approvedAfterWait('apr_8');
    process.env.HALTSTATE_LOG = 'off';
    const debug = jest.fn();
    const client = makeClient({ logger: { debug } });
    await client.guard({ action: 'a.b', idempotencyKey: 'k', wait: true }, () => 1);
    expect(debug).toHaveBeenCalledWith(expect.stringContaining('approval apr_8 requested'));
    await client.flush();
  });

  it('refuses an unknown HALTSTATE_LOG level, naming the variable', () => {
    process.env.HALTSTATE_LOG = 'verbose';
    expect(() => new HaltStateClient({ tenantId: 't', apiKey: KEY })).toThrow(/HALTSTATE_LOG must be one of debug, info, warn, error, off; got "verbose"/);
  });
});
