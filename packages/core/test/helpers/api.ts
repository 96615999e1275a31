import nock from 'nock';
import { HaltStateClient, SDK_VERSION, type ClientOptions } from '@haltstate/core';
import { testKey } from '@test-support/keys';

export const BASE_URL = 'https://haltstate.test';
export const TENANT = 'acme';
export const KEY = testKey('core');
export const PREFIX = '/api/sentinel';
/** The longest request deadline the client accepts (ten minutes). */
const LONGEST_TIMEOUT_MS = 600_000;

/**
 * A client against the nock host, with retries off unless a test turns them on. Its requests'
 * deadline is the longest allowed unless a test sets one: tests that advance fake time while a
 * nock reply is still on its way (replies travel on real timers and I/O turns, however loaded
 * the machine is) would otherwise see that reply time out, and no such test is about timeouts.
 */
export function makeClient(options: ClientOptions = {}): HaltStateClient {
  return new HaltStateClient({ tenantId: TENANT, apiKey: KEY, baseUrl: BASE_URL, agentId: 'bot-1', retries: 0, timeoutMs: LONGEST_TIMEOUT_MS, onReportError: () => undefined, ...options });
}

/** nock scope that also pins the headers every request must carry. */
export function api(): nock.Scope {
  return nock(BASE_URL)
    .matchHeader('x-tenant-id', TENANT)
    .matchHeader('x-api-key', KEY)
    .matchHeader('authorization', `Bearer ${KEY}`)
    .matchHeader('user-agent', new RegExp(`^haltstate-sdk-ts/${SDK_VERSION.replace(/\./g, '\\.')} node/\\d+`));
}

export const json = { 'content-type': 'application/json' };

/** A unique string per call, for keys and actions (in the style of TanStack's queryKey()). */
let counter = 0;
export const uniqueKey = (prefix = 'key') => `${prefix}-${++counter}`;

export { setupNock } from '@test-support/nock';
