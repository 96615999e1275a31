// @HaltStateGuard is one import for both decorator modes. Each mode gets its own compile:
// - type tests (test/types) under experimentalDecorators and under TC39 decorators;
// - a TC39 program (test/tc39/run.ts) compiled by tsc without the flag and run with node.
// (Every other test in this package runs as legacy decorators through swc.)
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..');
const tsc = require.resolve('typescript/bin/tsc');
const compile = (project: string) => execFileSync(process.execPath, [tsc, '-p', project], { cwd: root, encoding: 'utf8' });

describe('decorator modes', () => {
  it.each(['tsconfig.types-legacy.json', 'tsconfig.types-tc39.json'])('type tests compile under %s, and every @ts-expect-error is an error', (project) => {
    expect(() => compile(project)).not.toThrow();
  }, 60_000);

  it('works as a TC39 standard decorator: this, sync and static methods, deny, discovery', () => {
    compile('tsconfig.tc39-run.json');
    const output = JSON.parse(execFileSync(process.execPath, [join(root, '.tc39-out/run.js')], { cwd: root, encoding: 'utf8' }));
    expect(output.pay).toBe('tx-INV-1-10');
    expect(output.drop).toEqual({ error: 'ActionDenied', reason: 'never' });
    expect(output.double).toBe(42);
    expect(output.guarded).toEqual([
      ['double', true, 'static.double'],
      ['pay', false, 'payment.process'],
      ['drop', false, 'db.drop'],
    ]);
    expect(output.requests.map((request: { path: string; body: { action: string; params?: unknown; status?: string } }) => [request.path, request.body.action, request.body.params ?? request.body.status])).toEqual([
      ['/api/sentinel/action/check', 'payment.process', { id: 'INV-1', amount: 10 }],
      ['/api/sentinel/action/report', 'payment.process', 'success'],
      ['/api/sentinel/action/check', 'db.drop', { table: 'users' }],
      ['/api/sentinel/action/check', 'static.double', { value: 21 }],
      ['/api/sentinel/action/report', 'static.double', 'success'],
    ]);
  }, 60_000);
});
