// An app can load core's CommonJS and ESM builds in one process: each has its own classes, so a
// decision error from the other build must still be recognised (by brand and code). Here the
// client comes from core's built CommonJS dist while the tool code imports core's sources.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import nock from 'nock';
import { z } from 'zod';
import { ToolMessage } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { ActionDenied, type HaltStateClient } from '@haltstate/core';
import { guardTool } from '@haltstate/langchain';
import { testKey } from '@test-support/keys';
import { setupNock } from '@test-support/nock';

const BASE = 'https://haltstate.test';
const KEY = testKey('langchain-dual');
const json = { 'content-type': 'application/json' };

const distEntry = join(__dirname, '../../core/dist/cjs/index.js');
if (!existsSync(distEntry)) throw new Error('packages/core/dist is missing: run `npm run build` first (npm test does)');
const otherBuild = require(distEntry) as typeof import('@haltstate/core');

setupNock();

const makeClient = () =>
  new otherBuild.HaltStateClient({ tenantId: 'acme', apiKey: KEY, baseUrl: BASE, agentId: 'agent-1', retries: 0, onReportError: () => undefined }) as unknown as HaltStateClient;

it('the other build really is another copy (instanceof would miss its errors)', () => {
  expect(new otherBuild.ActionDenied({ action: 'a', reason: 'r' })).not.toBeInstanceOf(ActionDenied);
});

it.each([
  ['denied', { status: 'denied', reason: 'Never automatic' }, /^not allowed: Never automatic$/],
  ['pending', { status: 'pending', approval_id: 'apr-1' }, /^approval requested: "tool.delete_account"/],
  ['expired', { status: 'expired', approval_id: 'apr-2' }, /^not allowed: the approval for "tool.delete_account" expired/],
  ['executed', { status: 'executed', approval_id: 'apr-3' }, /^already done: "tool.delete_account" already ran/],
])('%s, answered through the other build, is returned to the model, not thrown', async (_name, answer, text) => {
  let calls = 0;
  const guarded = guardTool(tool(async () => (calls++, 'deleted'), { name: 'delete_account', description: 'Delete', schema: z.object({ userId: z.string() }) }), { client: makeClient() });
  nock(BASE).post('/api/sentinel/action/guard').reply(200, answer, json);
  const message = (await guarded.invoke({ type: 'tool_call', id: 'call_1', name: 'delete_account', args: { userId: 'u-1' } })) as ToolMessage;
  expect(message.status).toBe('error');
  expect(message.content).toMatch(text);
  expect(calls).toBe(0);
});
