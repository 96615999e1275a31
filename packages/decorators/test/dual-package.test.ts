// The dual package hazard: an ESM app that imports @haltstate/core (its ESM build) and uses the
// decorators through require (which load core's CommonJS build) has two HaltStateClient classes
// in one process. The decorators must recognise a client from either build by its brand.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { assertBuilt } from './built';

it('a client made by the other build of core is used as a client, not looked up or wrapped', () => {
  assertBuilt('core', 'decorators');
  const output = JSON.parse(execFileSync(process.execPath, [join(__dirname, 'dual-package/run.mjs')], { encoding: 'utf8' }));
  // The hazard is real in this process: the ESM client is no instance of the CommonJS class.
  expect(output.instanceOfOtherBuild).toBe(false);
  expect(output.registered).toBe('the same client');
  expect(output.paid).toBe('paid INV-1');
  expect(output.denied).toEqual({ code: 'HALTSTATE_ACTION_DENIED', reason: 'never' });
  expect(output.requests).toEqual([
    ['/api/sentinel/action/check', 'payment.process', { invoiceId: 'INV-1', amount: 10 }],
    ['/api/sentinel/action/report', 'payment.process', 'success'],
    ['/api/sentinel/action/check', 'db.drop', { table: 'users' }],
  ]);
}, 30_000);
