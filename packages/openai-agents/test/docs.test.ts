// Every complete program in the README and in docs/openai-agents.md runs, as written, against the
// real local server with the example's policy (ESM, against the built packages).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AdminClient, createLocalServer, loadPolicyFile, type LocalServer } from '@haltstate/local';

// Each sample is a Node process that loads @openai/agents: a bound on a hang, not on time.
jest.setTimeout(120_000);

const root = join(__dirname, '../../..');
/** The ```ts blocks that are whole programs (they start with an import), not excerpts. */
const programs = (file: string) => [...readFileSync(join(root, file), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!).filter((code) => code.startsWith('import '));

let server: LocalServer;
let admin: AdminClient;
let dir: string;
beforeAll(async () => {
  server = await createLocalServer({ policy: loadPolicyFile(join(root, 'examples/openai-agent/policy.yaml')) });
  const tenant = server.tenants[0]!;
  admin = new AdminClient({ url: server.url, tenantId: tenant.id, adminKey: tenant.adminKey });
  // Inside the package, so that the samples resolve its dependencies as an app would.
  dir = mkdtempSync(join(__dirname, '../.samples-'));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const runProgram = (name: string, code: string) => {
  const file = join(dir, `${name}.mjs`);
  writeFileSync(file, code);
  return promisify(execFile)(process.execPath, [file], { env: { ...process.env, HALTSTATE_BASE_URL: server.url }, timeout: 60_000 });
};

it('the README program: allowed runs, denied reads its reason, the refund waits for a human', async () => {
  const [program, ...more] = programs('packages/openai-agents/README.md');
  expect(more).toEqual([]);
  const { stdout } = await runProgram('readme', program!);
  expect(stdout).toContain('3 articles about refunds\nnot allowed: Account deletion is never automatic\n');
  expect(stdout).toMatch(/'refund waits for a human: approval id [0-9a-f-]{36}'/);
});

it('the docs program in wait mode: blocks until a human approves, then the tool runs', async () => {
  const [program, ...more] = programs('docs/openai-agents.md');
  expect(more).toEqual([]);
  const running = runProgram('wait', program!);
  let pending;
  while (!(pending = (await admin.approvals('pending')).find((approval) => approval.params.orderId === 'o-8'))) await new Promise((resolve) => setImmediate(resolve));
  await admin.approve(pending.approval_id, { approver: 'alice' });
  expect((await running).stdout).toContain('refunded o-8\n');
});
