// examples/langchain-agent must keep running (ESM, against the built packages).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

it('the LangChain agent example: allowed runs, denied is read by the model, refund waits for approval', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [join(__dirname, '../../../examples/langchain-agent/agent.mjs')], { timeout: 30_000 });
  expect(stdout).toContain('→ Refunds are allowed within 30 days');
  expect(stdout).toContain('→ not allowed: Account deletion is never automatic');
  expect(stdout).toMatch(/alice approves tool\.refund .*\n\s+→ Refunded 40 USD on ord-981/);
});
