// examples/langchain-agent must keep running (ESM, against the built packages). Each test spawns
// Node (the graph example loads langchain and LangGraph), so it may take longer than jest's 5 s
// default on a loaded machine: it is bounded by the child's own 30 s timeout.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

it('the LangChain agent example: allowed runs, denied and pending are error results, the retry after approval runs once', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [join(__dirname, '../../../examples/langchain-agent/agent.mjs')], { timeout: 30_000 });
  expect(stdout).toContain('→ success: Refunds are allowed within 30 days');
  expect(stdout).toContain('→ error: not allowed: Account deletion is never automatic');
  expect(stdout).toMatch(/\[call_3\]\n\s+→ error: approval requested: "tool\.refund" needs a human's approval before it runs \(approval id [0-9a-f-]{36}\)\. It has not run\./);
  expect(stdout).toMatch(/alice approves tool\.refund .*\n.*\n🔧 refund\(.*\)  \[call_4\]\n\s+→ success: Refunded 40 USD on ord-981\n/);
  expect(stdout.match(/Refunded 40 USD/g)).toHaveLength(1);
}, 30_000);

it('the createAgent example: allowed runs, denied reads the reason, the refund pauses the graph and, approved in HaltState, runs once after a restart', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [join(__dirname, '../../../examples/langchain-agent/graph-agent.mjs')], { timeout: 30_000 });
  expect(stdout).toContain('🔧 search_docs [call_1] → success: Refunds are allowed within 30 days');
  expect(stdout).toContain('🔧 delete_account [call_2] → error: not allowed: Account deletion is never automatic');
  expect(stdout).toMatch(/⏸ {2}paused: tool\.refund waits for approval [0-9a-f-]{36}\n/);
  expect(stdout).toContain('▶  resuming from HaltState: approved by alice; still pending: 0');
  expect(stdout.match(/Refunded 40 USD on ord-981/g)).toHaveLength(1);
  expect(stdout).toMatch(/🤖 Refunded ord-981\./);
}, 30_000);
