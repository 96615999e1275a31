// examples/openai-agent must keep running (ESM, against the built packages): the first process
// pauses on the refund and saves the run; a human approves in HaltState; a second process
// restores the run and the refund runs, once.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AdminClient, createLocalServer, loadPolicyFile, type LocalServer } from '@haltstate/local';

// Four Node processes that each load @openai/agents: a bound on a hang, not on time.
jest.setTimeout(120_000);

const script = join(__dirname, '../agent.mjs');
let server: LocalServer;
let dir: string;
beforeAll(async () => {
  server = await createLocalServer({ policy: loadPolicyFile(join(__dirname, '../policy.yaml')) });
  dir = mkdtempSync(join(tmpdir(), 'openai-agent-'));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const agent = async (...args: string[]) => {
  const env = { ...process.env, HALTSTATE_BASE_URL: server.url, RUN_STATE_FILE: join(dir, 'run.json') };
  return (await promisify(execFile)(process.execPath, [script, ...args], { env, timeout: 30_000 })).stdout;
};

it('pauses on the refund, and a new process resumes it once a human approved in HaltState', async () => {
  const first = await agent();
  expect(first).toContain('→ Refunds are allowed within 30 days');
  expect(first).toContain('→ not allowed: Account deletion is never automatic');
  const approvalId = /⏸ {2}refund waits for a human: approval id ([0-9a-f-]{36})/.exec(first)?.[1];
  expect(approvalId).toBeDefined();
  expect(first).not.toContain('Refunded');

  expect(await agent('resume')).toContain(`still waiting for a human: ${approvalId}`);
  const tenant = server.tenants[0]!;
  await new AdminClient({ url: server.url, tenantId: tenant.id, adminKey: tenant.adminKey }).approve(approvalId!, { approver: 'alice' });

  const resumed = await agent('resume');
  expect(resumed).toContain('👤 refund: approved by alice');
  expect(resumed.match(/→ Refunded 40 USD on ord-981/g)).toHaveLength(1);
  expect(resumed).toContain('🤖 Your order ord-981 was refunded.');
  expect(await agent('resume')).toMatch(/^no saved run/);
});
