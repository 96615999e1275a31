// The built package must load from CommonJS (NestJS apps) and from ESM (LangChain users) alike.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SDK_VERSION } from '@haltstate/core';

const root = join(__dirname, '..');
const run = (args: string[]) => execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' }).trim();
const probe = 'typeof m.HaltStateClient + " " + (m.ActionPending === m.ApprovalPending) + " " + m.SDK_VERSION';

describe('built package', () => {
  beforeAll(() => {
    if (!existsSync(join(root, 'dist/cjs/index.js'))) throw new Error('packages/core/dist is missing: run `npm run build` first (npm test does)');
  });

  it('loads with require()', () => {
    expect(run(['-e', `const m = require('@haltstate/core'); console.log(${probe})`])).toBe(`function true ${SDK_VERSION}`);
  });

  it('loads with import', () => {
    expect(run(['--input-type=module', '-e', `import * as m from '@haltstate/core'; console.log(${probe})`])).toBe(`function true ${SDK_VERSION}`);
  });

  it('serves the zod schemas from the subpath @haltstate/core/schemas only, both ways', () => {
    const probeSchemas = "typeof s.checkRequest.safeParse + ' ' + typeof m.schemas";
    expect(run(['-e', `const s = require('@haltstate/core/schemas'); const m = require('@haltstate/core'); console.log(${probeSchemas})`])).toBe('function undefined');
    expect(run(['--input-type=module', '-e', `import * as s from '@haltstate/core/schemas'; import * as m from '@haltstate/core'; console.log(${probeSchemas})`])).toBe('function undefined');
  });

  it('ships type declarations for both', () => {
    expect(existsSync(join(root, 'dist/cjs/index.d.ts'))).toBe(true);
    expect(existsSync(join(root, 'dist/esm/index.d.ts'))).toBe(true);
  });

  it('keeps SDK_VERSION in step with package.json', () => {
    expect(SDK_VERSION).toBe(require('../package.json').version);
  });
});
