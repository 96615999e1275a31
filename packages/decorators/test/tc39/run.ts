// Compiled by tsc WITHOUT experimentalDecorators (TC39 standard decorators) and run with node by
// test/decorator-modes.test.ts. Prints what happened as JSON.
import 'reflect-metadata';
import { HaltStateClient } from '@haltstate/core';
import { HaltStateGuard, getGuardedMethods, setClientResolver } from '@haltstate/decorators';

const requests: Array<{ path: string; body: Record<string, unknown> }> = [];
const answers: Record<string, (body: Record<string, unknown>) => unknown> = {
  '/api/sentinel/action/check': (body) => (body.action === 'db.drop' ? { decision: 'DENY', reason: 'never', policy_id: 'no-drops' } : { decision: 'ALLOW' }),
  '/api/sentinel/action/report': () => ({}),
};
const fakeFetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
  const request = new Request(input, init);
  const path = new URL(request.url).pathname;
  const body = (await request.json()) as Record<string, unknown>;
  requests.push({ path, body });
  return new Response(JSON.stringify(answers[path]!(body)), { status: 200, headers: { 'content-type': 'application/json' } });
};

const client = new HaltStateClient({ tenantId: 'acme', apiKey: 'hs_tc39_key_value', baseUrl: 'https://haltstate.test', agentId: 'tc39-bot', retries: 0, fetch: fakeFetch });
setClientResolver(() => client);

class Service {
  prefix = 'tx';

  @HaltStateGuard({ action: 'payment.process', params: (id: string, amount: number) => ({ id, amount }) })
  async pay(id: string, amount: number) {
    return `${this.prefix}-${id}-${amount}`;
  }

  @HaltStateGuard('db.drop')
  drop(table: string) {
    return `dropped ${table}`;
  }

  @HaltStateGuard('static.double')
  static double(value: number) {
    return value * 2;
  }
}

async function main() {
  const service = new Service();
  const pay = await service.pay('INV-1', 10);
  // A guarded sync method returns a promise at run time; its declared type cannot say so.
  const drop = await (service.drop('users') as unknown as Promise<string>).then(
    (value) => ({ ran: value }),
    (error: Error & { reason?: string }) => ({ error: error.name, reason: error.reason }),
  );
  const double = await (Service.double(21) as unknown as Promise<number>);
  await client.flush();
  const guarded = getGuardedMethods(Service).map((entry) => [entry.method, entry.static, entry.options.action]);
  console.log(JSON.stringify({ pay, drop, double, guarded, requests }));
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
