// A CommonJS app with esModuleInterop and skipLibCheck off: every .d.ts that
// `@haltstate/core` pulls in is type-checked under these settings.
import { ActionDenied, HaltStateClient, haltstateGuard, isHaltStateError, type Decision, type Permit } from '@haltstate/core';

export async function main(): Promise<void> {
  const client = new HaltStateClient({ tenantId: 'acme', apiKey: 'hs_key', agentId: 'bot' });
  const decision: Decision = await client.check('payment.process', { params: { amount: 1 } });
  await client.guard({ action: 'a.b', idempotencyKey: 'k' }, (permit: Permit) => permit.approvalId);
  const send = haltstateGuard(client, { action: 'email.send' })((to: string) => to);
  await send('bob@example.com').catch((error: unknown) => {
    if (error instanceof ActionDenied || isHaltStateError(error, 'HALTSTATE_APPROVAL_PENDING')) return;
    throw error;
  });
  void decision;
  await client.close();
}
