// Run by test/dual-package.test.ts. An ESM program: @haltstate/core comes from `import` (core's
// ESM build); the decorators come through `require`, and so use core's CommonJS build.
import { createRequire } from 'node:module';
import * as esmCore from '@haltstate/core';

const require = createRequire(import.meta.url);
require('reflect-metadata');
const cjsCore = require('@haltstate/core');
const { HaltStateGuard, registerHaltState } = require('@haltstate/decorators');

const requests = [];
const answers = {
  '/api/sentinel/action/check': (body) => (body.action === 'db.drop' ? { decision: 'DENY', reason: 'never', policy_id: 'no-drops' } : { decision: 'ALLOW' }),
  '/api/sentinel/action/report': () => ({}),
};
const fetch = async (input, init) => {
  const request = new Request(input, init);
  const path = new URL(request.url).pathname;
  const body = await request.json();
  requests.push([path, body.action, body.params ?? body.status]);
  return new Response(JSON.stringify(answers[path](body)), { status: 200, headers: { 'content-type': 'application/json' } });
};
const client = new esmCore.HaltStateClient({ tenantId: 'acme', apiKey: 'hs_dual_package_key', baseUrl: 'https://haltstate.test', agentId: 'dual-bot', retries: 0, fetch });

class Payments {
  async pay(invoiceId, amount) {
    return `paid ${invoiceId}`;
  }
  async drop(table) {
    return `dropped ${table}`;
  }
}
// What `@HaltStateGuard({ …, client })` does, applied by hand (plain JavaScript has no decorators).
const guard = (key, options) => {
  const descriptor = Object.getOwnPropertyDescriptor(Payments.prototype, key);
  HaltStateGuard(options)(Payments.prototype, key, descriptor);
  Object.defineProperty(Payments.prototype, key, descriptor);
};
guard('pay', { action: 'payment.process', client });
guard('drop', { action: 'db.drop', client });

const payments = new Payments();
const paid = await payments.pay('INV-1', 10);
const denied = await payments.drop('users').then(
  () => 'ran',
  (error) => ({ code: error.code, reason: error.reason }),
);
await client.flush();
const registered = registerHaltState(client) === client ? 'the same client' : 'another client';
console.log(JSON.stringify({ instanceOfOtherBuild: client instanceof cjsCore.HaltStateClient, registered, paid, denied, requests }));
await client.close();
