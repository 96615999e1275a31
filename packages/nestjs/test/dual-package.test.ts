// The dual package hazard: an ESM app importing @haltstate/core gets core's ESM build, while the
// Nest adapter, loaded through require, uses its CommonJS build. Errors of one build are no
// instances of the other's classes; the filter must still map them (by brand and code).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { assertBuilt } from '../../decorators/test/built';

it('maps errors made by the other build of core: a denial is a 403, not a 500', () => {
  assertBuilt('core', 'decorators', 'nestjs');
  const output = JSON.parse(execFileSync(process.execPath, [join(__dirname, 'dual-package/app.mjs')], { encoding: 'utf8' }));
  expect(output.instanceOfOtherBuild).toBe(false);
  expect(output.answers.denied).toEqual({ status: 403, body: { statusCode: 403, error: 'Forbidden', code: 'HALTSTATE_ACTION_DENIED', message: 'Action "payment.process" denied: Too large', reason: 'Too large', policyId: 'limit' } });
  expect(output.answers.pending).toEqual({ status: 202, body: { statusCode: 202, error: 'Accepted', code: 'HALTSTATE_APPROVAL_PENDING', message: expect.any(String), approvalId: 'apr-1' } });
  expect(output.answers.other).toEqual({ status: 500, body: { statusCode: 500, message: 'Internal server error' } });
}, 30_000);
