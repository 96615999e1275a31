// tsyringe is an optional peer: loaded only by registerHaltState or the tsyringe resolver, in
// both builds; where it is not installed, everything else works and the tsyringe path says what
// to install.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { assertBuilt } from './built';
import { installPacked, type PackedInstall } from './packed';

const scripts = ['steps.cjs', 'run.cjs', 'run.mjs'].map((file) => join(__dirname, 'optional-tsyringe', file));
const run = (script: string, cwd: string) => JSON.parse(execFileSync(process.execPath, [script], { cwd, encoding: 'utf8' }));

describe('tsyringe installed', () => {
  beforeAll(() => assertBuilt('core', 'decorators'));

  it.each(['run.cjs', 'run.mjs'])('%s: not loaded by the import or a guarded call with a client; registerHaltState loads it', (script) => {
    expect(run(join(__dirname, 'optional-tsyringe', script), __dirname)).toEqual({
      loadedAtImport: false,
      paid: 'paid INV-1',
      loadedAfterGuardedCall: false,
      unregistered: expect.stringContaining('Call registerHaltState({ tenantId, apiKey }) from @haltstate/decorators at startup'),
      registered: 'registered',
      loadedAtEnd: true,
    });
  }, 30_000);
});

describe('tsyringe not installed', () => {
  let install: PackedInstall;
  beforeAll(() => {
    install = installPacked({ packages: ['core', 'decorators'], without: ['tsyringe'] });
    install.add(...scripts);
  }, 60_000);
  afterAll(() => install?.remove());

  it.each(['run.cjs', 'run.mjs'])('%s: a client passed in works; the tsyringe path says to install it', (script) => {
    const output = run(script, install.dir);
    expect(output).toEqual({
      loadedAtImport: false,
      paid: 'paid INV-1',
      loadedAfterGuardedCall: false,
      unregistered: expect.stringContaining('Pass { client } to @HaltStateGuard, or install tsyringe (`npm install tsyringe`)'),
      registered: expect.stringMatching(/^HaltStateValidationError: registerHaltState needs tsyringe, which is not installed: run `npm install tsyringe`/),
      loadedAtEnd: false,
    });
    expect(output.unregistered).toContain('@HaltStateGuard on Payments.refund: no HaltState client is registered, so the method did not run.');
  }, 30_000);
});
