import { HaltStateClient, type ClientOptions } from '@haltstate/core';
import { createLocalServer, type LocalServer, type LocalServerOptions, type PolicyInput } from '@haltstate/local';
import { testKey } from '@test-support/keys';

export const TENANTS = [
  { id: 'acme', apiKey: testKey('acme'), adminKey: testKey('acme-admin') },
  { id: 'globex', apiKey: testKey('globex'), adminKey: testKey('globex-admin') },
];

export const POLICY: PolicyInput = {
  version: 1,
  default: 'DENY',
  tenants: TENANTS,
  rules: [
    { id: 'no-drops', match: { action: 'database.*' }, decision: 'DENY', reason: 'Destructive operation' },
    { id: 'small-payments', match: { action: 'payment.*', agent: 'payment-bot*' }, when: { 'params.amount': { lte: 1000 }, 'params.currency': { in: ['USD', 'EUR'] } }, decision: 'ALLOW', reason: 'Small payment' },
    { id: 'large-payments', match: { action: 'payment.*' }, decision: 'APPROVAL_REQUIRED', reason: 'Over the automatic limit', approval: { ttl: '15m' } },
    { id: 'short-lived', match: { action: 'flash.*' }, decision: 'APPROVAL_REQUIRED', reason: 'Quick', approval: { ttl: '1s' } },
    { id: 'reads', match: { action: 'read.*' }, decision: 'ALLOW' },
  ],
};

/** A server on 127.0.0.1, port 0, in-memory unless `db` says otherwise. */
export function startServer(options: LocalServerOptions & { port?: number } = {}): Promise<LocalServer> {
  return createLocalServer({ policy: POLICY, keepAliveMs: 200, ...options });
}

export function clientFor(server: { url: string }, tenant = TENANTS[0]!, options: ClientOptions = {}): HaltStateClient {
  return new HaltStateClient({ baseUrl: server.url, tenantId: tenant.id, apiKey: tenant.apiKey, agentId: 'payment-bot-1', retries: 0, onReportError: () => undefined, ...options });
}

let counter = 0;
export const uniqueKey = (prefix = 'key') => `${prefix}-${process.pid}-${++counter}`;
