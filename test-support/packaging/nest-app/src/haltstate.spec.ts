// A Nest app's unit test, compiled by ts-jest to CommonJS as `nest new` sets it up, loading the
// packed @haltstate/core from node_modules and talking to a tiny HTTP server.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'http';
import type { AddressInfo } from 'net';
import { ActionDenied, HaltStateClient, SDK_VERSION } from '@haltstate/core';

const answers: Record<string, object> = {
  '/api/sentinel/action/check': { decision: 'ALLOW', reason: 'Small payment', policy_id: 'small' },
  '/api/sentinel/action/guard': { status: 'denied', reason: 'Destructive', policy_id: 'no-drops' },
  '/api/sentinel/action/report': {},
};

function answer(request: IncomingMessage, response: ServerResponse): void {
  request.resume();
  request.on('end', () => {
    const body = answers[request.url ?? ''];
    response.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body ?? { detail: 'not found' }));
  });
}

describe('@haltstate/core in a Nest app test', () => {
  let server: Server;
  let client: HaltStateClient;

  beforeAll(async () => {
    server = createServer(answer);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    client = new HaltStateClient({ baseUrl: `http://127.0.0.1:${port}`, tenantId: 'demo', apiKey: 'hs_local_demo_key', agentId: 'payment-bot-01', retries: 0 });
  });

  afterAll(async () => {
    await client.close({ timeoutMs: 1000 });
    await new Promise((resolve) => server.close(resolve));
  });

  it('loads the CommonJS build of the packed package', () => {
    expect(require.resolve('@haltstate/core')).toMatch(/node_modules[\\/]@haltstate[\\/]core[\\/]dist[\\/]cjs[\\/]index\.js$/);
    expect(SDK_VERSION).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('checks an action over HTTP', async () => {
    const decision = await client.check('payment.process', { params: { amount: 50 } });
    expect(decision).toMatchObject({ allowed: true, policyId: 'small' });
  });

  it('refuses a denied guarded action without running it', async () => {
    const run = jest.fn();
    await expect(client.guard({ action: 'database.drop', params: { table: 'users' } }, run)).rejects.toBeInstanceOf(ActionDenied);
    expect(run).not.toHaveBeenCalled();
  });
});
