// examples/ai-sdk-agent must keep running (ESM, ai 7, against the built packages): the ask and
// the resume are two processes, with a human's decision in HaltState between them.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AdminClient, createLocalServer, type LocalServer } from '@haltstate/local';
import { describeOnNode } from '@test-support/node-version';

describeOnNode(22, 'ai 7 declares Node >= 22')('the ai-sdk agent example', () => {
  let server: LocalServer;
  let dir: string;
  beforeAll(async () => {
    server = await createLocalServer({ policy: join(__dirname, '../policy.yaml') });
    dir = mkdtempSync(join(tmpdir(), 'ai-sdk-agent-'));
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const agent = async (...args: string[]) => {
    const env = { ...process.env, HALTSTATE_BASE_URL: server.url, HISTORY_FILE: join(dir, 'history.json') };
    const { stdout } = await promisify(execFile)(process.execPath, [join(__dirname, '../agent.mjs'), ...args], { env, timeout: 30_000 });
    return stdout;
  };

  it('allowed runs, denied reads the reason, the refund pauses; resumed in a new process after approval, it runs once', async () => {
    const asked = await agent();
    expect(asked).toContain('→ call_1: text: Refunds are allowed within 30 days (searched: refund policy)');
    expect(asked).toContain('→ call_2: execution-denied: not allowed: Account deletion is never automatic');
    expect(asked).toContain('⏸ call_3: waiting for a human in HaltState');
    expect(asked).not.toContain('💸');
    const [id] = asked.match(/haltstate approve ([0-9a-f-]{36})/)!.slice(1);

    expect(await agent('resume')).toContain(`⏸ still waiting for a human: tool.refund (approval id ${id})`);
    const admin = new AdminClient({ url: server.url, tenantId: 'demo', adminKey: 'hs_admin_demo_key' });
    await admin.approve(id!, { approver: 'alice' });

    const resumed = await agent('resume');
    expect(resumed).toContain('✅ HaltState decided: approved');
    expect(resumed.match(/💸 the refund tool runs: 40 USD on ord-981/g)).toHaveLength(1);
    expect(resumed).toContain('→ call_3: text: Refunded 40 USD on ord-981');
    expect(await agent('resume')).toContain('nothing to resume');
    // Four Node processes that each load ai: a bound on a hang, not an assertion on time.
  }, 120_000);
});
