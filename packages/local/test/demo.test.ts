// The README's first command must keep working: run the demo as a user would (built packages).
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AdminClient } from '@haltstate/local';

const root = join(__dirname, '../../..');
const demo = join(root, 'examples/payment-agent/demo.mjs');

it('the payment-agent demo allows, waits for approval, denies, prints the audit trail and exits 0', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [demo], { cwd: root, timeout: 30_000 });
  expect(stdout).toMatch(/paid 250 USD for INV-1001 \(allowed by policy\)/);
  expect(stdout).toMatch(/alice reviews it and approves\n\s+💸 paid 5000 USD for INV-1002 \(approved by alice\)/);
  expect(stdout).toMatch(/database\.drop" denied: .*\(rule no-drops\)/);
  expect(stdout).not.toMatch(/this must never run/);
  expect(stdout).toMatch(/approval_decided\s+payment-bot-01\s+payment\.process\s+approved\s+large-payments\s+alice/);
});

it('--interactive: the printed sign-in link works, and the printed approve command works as printed', async () => {
  const child = spawn(process.execPath, [demo, '--interactive'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const printed = new Promise<{ link: string; command: string }>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const link = /approve it in the browser: (\S+)/.exec(output)?.[1];
      const command = /or in a terminal: (.+)\n/.exec(output)?.[1];
      if (link && command && output.includes('[y/N]')) resolve({ link, command });
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    void exited.then(() => reject(new Error(`the demo ended before printing its commands:\n${output}`)));
  });
  try {
    const { link, command } = await printed;
    // The link carries a one-time code (never a key), which the page exchanges for a session.
    const url = new URL(link);
    const code = new URLSearchParams(url.hash.slice(1)).get('code');
    expect(code).toMatch(/^hs_code_/);
    const signIn = await fetch(`${url.origin}/local/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) });
    const session = (await signIn.json()) as { tenant_id: string; token: string };
    expect(session.tenant_id).toBe('demo');
    expect(await new AdminClient({ url: url.origin, tenantId: 'demo', adminKey: session.token }).whoami()).toEqual({ tenant_id: 'demo' });
    expect(command).toMatch(/^npx --no-install haltstate approve [0-9a-f]{8} --url http:\/\/127\.0\.0\.1:\d+ --tenant demo --admin-key hs_admin_demo_key$/);

    // Exactly as printed, from the repository root, in a shell.
    const { stdout } = await promisify(execFile)('sh', ['-c', command], { cwd: root, timeout: 60_000 });
    expect(stdout).toMatch(/^approved [0-9a-f]{8} \(payment\.process by payment-bot-01\) as /);
    expect(await exited).toBe(0);
    expect(output).toMatch(/Approve this payment here\? \[y\/N\][^\n]*\n+ +👤 approved by \S+ \(outside this terminal\)\n\s+💸 paid 5000 USD for INV-1002 \(approved by /);
  } finally {
    child.kill();
  }
}, 90_000);
