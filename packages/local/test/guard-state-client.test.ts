// client.guardState against the real local server: a stable lookup over a guard key's life —
// asking creates one approval, asking again changes nothing, a human's decision shows, the one
// run happens in guard(), and afterwards the key says executed.
import type { LocalServer } from '@haltstate/local';
import { clientFor, startServer, TENANTS, uniqueKey } from './helpers/server';

let server: LocalServer;
beforeAll(async () => (server = await startServer()));
afterAll(() => server.close());

async function decide(approvalId: string, verb: 'approve' | 'reject'): Promise<void> {
  const acme = TENANTS[0]!;
  const response = await fetch(`${server.url}/local/approvals/${approvalId}/${verb}`, {
    method: 'POST',
    headers: { 'x-tenant-id': acme.id, authorization: `Bearer ${acme.adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ approver: 'alice', reason: 'checked' }),
  });
  expect(response.status).toBe(200);
}

describe('guardState() against the local server', () => {
  it('is a stable lookup: pending until decided, then approved, then executed after the one run', async () => {
    const client = clientFor(server);
    const input = { action: 'payment.process', params: { amount: 5000 }, idempotencyKey: uniqueKey('call') };
    const first = await client.guardState(input);
    const again = await client.guardState(input);
    expect(first).toMatchObject({ status: 'pending' });
    expect(again.approvalId).toBe(first.approvalId);
    await decide(first.approvalId, 'approve');
    expect(await client.guardState(input)).toMatchObject({ status: 'approved', approver: 'alice' });
    expect(await client.guardState(input)).toMatchObject({ status: 'approved' });
    const fn = jest.fn(() => 'paid');
    expect(await client.guard(input, fn)).toBe('paid');
    await client.flush();
    expect(await client.guardState(input)).toMatchObject({ status: 'executed', approvalId: first.approvalId });
    await expect(client.guard(input, fn)).rejects.toMatchObject({ name: 'ActionAlreadyExecuted' });
    expect(fn).toHaveBeenCalledTimes(1);
    await client.close();
  });

  it('shows a rejection with its reason, and policy answers without an approval', async () => {
    const client = clientFor(server);
    const input = { action: 'payment.process', params: { amount: 9000 }, idempotencyKey: uniqueKey('call') };
    const pending = await client.guardState(input);
    await decide(pending.approvalId, 'reject');
    expect(await client.guardState(input)).toMatchObject({ status: 'denied', approver: 'alice', reason: 'checked' });
    expect(await client.guardState({ action: 'database.drop', idempotencyKey: uniqueKey('call') })).toMatchObject({ status: 'denied', policyId: 'no-drops' });
    expect(await client.guardState({ action: 'read.file', idempotencyKey: uniqueKey('call') })).toMatchObject({ status: 'allowed' });
    await client.close();
  });
});
