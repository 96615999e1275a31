// The README's first command must keep working: run the demo as a user would (built packages).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

it('the payment-agent demo allows, waits for approval, denies, prints the audit trail and exits 0', async () => {
  const root = join(__dirname, '../../..');
  const { stdout } = await promisify(execFile)(process.execPath, [join(root, 'examples/payment-agent/demo.mjs')], { cwd: root, timeout: 30_000 });
  expect(stdout).toMatch(/paid 250 USD for INV-1001 \(allowed by policy\)/);
  expect(stdout).toMatch(/alice reviews it and approves\n\s+💸 paid 5000 USD for INV-1002 \(approved by alice\)/);
  expect(stdout).toMatch(/database\.drop" denied: .*\(rule no-drops\)/);
  expect(stdout).not.toMatch(/this must never run/);
  expect(stdout).toMatch(/approval_decided\s+payment-bot-01\s+payment\.process\s+approved\s+large-payments\s+alice/);
});
