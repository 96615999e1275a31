// Type tests, checked by `npm run typecheck` (tsc --noEmit): each @ts-expect-error must be an
// error and everything else must compile.
import { ActionPending, ApprovalPending, deriveIdempotencyKey, HaltStateClient, haltstateGuard, isHaltStateError, paramsFromArguments, type ActionParams, type ApprovalRequest, type Decision, type Permit } from '@haltstate/core';

declare const client: HaltStateClient;

export async function types(): Promise<void> {
  // check: both call shapes; the decision is fully typed.
  const decision: Decision = await client.check({ action: 'payment.process', params: { amount: 1 } });
  await client.check('payment.process', { params: { amount: 1 }, agentId: 'bot' }, { timeoutMs: 100 });
  const value: 'ALLOW' | 'DENY' | 'APPROVAL_REQUIRED' = decision.decision;
  void value;
  // @ts-expect-error action is required
  await client.check({ params: {} });
  // @ts-expect-error report status is one of success | error | failure
  await client.report(decision, { status: 'ok' });

  // guard: the function gets the permit and its return type flows out.
  const receipt: { id: string } = await client.guard({ action: 'a.b', idempotencyKey: 'k' }, (permit: Permit) => ({ id: permit.approvalId }));
  void receipt;
  // @ts-expect-error the permit has no such field
  await client.guard({ action: 'a.b' }, (permit) => permit.nope);

  // haltstateGuard keeps the wrapped function's parameters and makes it async.
  const send = haltstateGuard(client, { action: 'email.send' })((to: string, retries: number) => `${to}:${retries}`);
  const sent: Promise<string> = send('bob@example.com', 1);
  void sent;
  // @ts-expect-error arguments keep their types
  void send(1, 'bob@example.com');
  const typed = haltstateGuard(client, { action: 'payment.process', params: (invoiceId: string, amount: number) => ({ invoiceId, amount }) });
  void typed((invoiceId: string, amount: number) => invoiceId + amount);
  // @ts-expect-error the function must take what params takes
  void typed((invoiceId: number) => invoiceId);

  // Derived keys need the secret: the old (tenant, agent, action, params) call does not compile.
  const key: string = client.idempotencyKey({ action: 'a.b', agentId: 'bot', params: { args: [1] } });
  void key;
  void deriveIdempotencyKey({ secret: 'hs_key', tenantId: 't', agentId: 'bot', action: 'a.b', params: {} });
  // @ts-expect-error the secret is required
  void deriveIdempotencyKey({ tenantId: 't', agentId: 'bot', action: 'a.b', params: {} });
  // @ts-expect-error the positional form of 0.1 is gone
  void deriveIdempotencyKey('t', 'bot', 'a.b', {});

  // The approval hook gets a typed request; the key is null in the check flow.
  new HaltStateClient({
    onApprovalRequested: (request: ApprovalRequest) => {
      const key: string | null = request.idempotencyKey;
      const url: string | undefined = request.url;
      void key, url;
    },
    approvalUrl: (approvalId) => `https://approvals.example/${approvalId}`,
    logger: console,
  });
  // @ts-expect-error a logger needs debug(message)
  new HaltStateClient({ logger: { info: () => undefined } });
  // @ts-expect-error an unknown option does not compile either
  new HaltStateClient({ timeout: 5000 });
  const named: ActionParams = paramsFromArguments((to: string) => to, ['bob@example.com']);
  void named;
  const caught: unknown = undefined;
  if (isHaltStateError(caught, 'HALTSTATE_CLOSED') || isHaltStateError(caught, 'HALTSTATE_ABORTED')) void caught.message;
  if (isHaltStateError(caught, 'HALTSTATE_CONNECTION')) {
    const abandoned: string | undefined = caught.approvalId;
    void abandoned;
  }

  // Python names are the same classes.
  const pending: ActionPending = new ApprovalPending({ approvalId: 'a', action: 'b' });
  void pending;
}
