// examples/tsyringe-service must keep running (it is built by `npm run build`).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

it('the tsyringe example allows, waits for approval, denies', async () => {
  const main = join(__dirname, '../../../examples/tsyringe-service/dist/main.js');
  if (!existsSync(main)) throw new Error('examples/tsyringe-service is not built: run `npm run build` first (npm test does)');
  const { stdout } = await promisify(execFile)(process.execPath, [main], { timeout: 30_000 });
  expect(stdout).toContain('small payment: allowed');
  expect(stdout).toMatch(/large payment: waiting for approval [0-9a-f-]{36}; approving as alice\nlarge payment: approved and paid/);
  expect(stdout).toContain('drop table: denied (Destructive database operations are never automatic)');
  expect(stdout).toContain('ledger: ["paid 120 EUR for INV-1","paid 4000 USD for INV-2 (approved)"]');
});
