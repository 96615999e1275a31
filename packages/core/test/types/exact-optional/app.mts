// An ES module app with exactOptionalPropertyTypes: values that may be undefined (environment
// variables, optional settings of the app) must be accepted by every optional option.
import { HaltStateClient, haltstateGuard, type ClientOptions, type GuardInput, type RequestOptions } from '@haltstate/core';

declare const signal: AbortSignal | undefined;
declare const maybeNumber: number | undefined;
declare const maybeBoolean: boolean | undefined;

const options: ClientOptions = {
  tenantId: process.env['HALTSTATE_TENANT_ID'],
  apiKey: process.env['X'],
  baseUrl: process.env['HALTSTATE_BASE_URL'],
  agentId: process.env['AGENT'],
  digestSecret: process.env['SECRET'],
  timeoutMs: maybeNumber,
  retries: maybeNumber,
  failOpen: maybeBoolean,
  allowInsecureHttp: maybeBoolean,
  maxQueuedReports: maybeNumber,
  namespace: undefined,
  redact: undefined,
  onReportError: undefined,
  fetch: undefined,
  onApprovalRequested: undefined,
  approvalUrl: process.env['APPROVAL_URL'],
  logger: undefined,
};
const client = new HaltStateClient(options);
const request: RequestOptions = { signal, timeoutMs: maybeNumber, retries: maybeNumber };
const input: GuardInput = { action: 'a.b', params: undefined, agentId: process.env['AGENT'], idempotencyKey: process.env['KEY'], metadata: undefined, wait: { timeoutMs: maybeNumber, pollIntervalMs: maybeNumber, onApprovalRequested: undefined } };

export async function main(): Promise<void> {
  await client.check('a.b', { params: undefined, agentId: process.env['AGENT'] }, request);
  await client.guard(input, () => 1, request);
  await client.execute({ ...input, report: maybeBoolean }, () => 1, { signal });
  await client.waitForApproval('apr', { timeoutMs: maybeNumber, pollIntervalMs: maybeNumber, signal, retries: maybeNumber });
  for await (const event of client.approvals({ lastSeen: undefined, signal })) void event;
  client.onApproval(() => undefined, { lastSeen: undefined, onError: undefined })();
  await client.startKillSwitch({ intervalMs: maybeNumber, agentId: process.env['AGENT'], onError: undefined });
  await client.approvalsSince(new Date(), { limit: maybeNumber, signal });
  const wrapped = haltstateGuard(client, { action: 'email.send', agentId: process.env['AGENT'], wait: undefined, request: undefined })((to: string) => to);
  await wrapped('bob@example.com');
  await client.flush({ timeoutMs: maybeNumber });
  await client.close({ timeoutMs: maybeNumber });
}
