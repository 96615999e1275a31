// Misused, @HaltStateGuard fails to compile with a message that says what is wrong, in both
// decorator modes, never only TypeScript's "Unable to resolve signature of method decorator"
// (TS1241). Pinned here by compiling test/type-errors/mistakes.ts with tsc.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..');

function compile(experimentalDecorators: boolean): string[] {
  const project = `tsconfig.type-errors-${experimentalDecorators ? 'legacy' : 'tc39'}.json`;
  try {
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', project, '--pretty', 'false'], { cwd: root, encoding: 'utf8' });
    return [];
  } catch (error) {
    // Only the first line of each error: TypeScript's elaboration below it varies by version.
    return (error as { stdout: string }).stdout.split('\n').filter((line) => line.startsWith('test/'));
  }
}

const message = (text: string) => `'HaltStateGuardMisuse<"${text}">'`;
const callbacks = (name: string) => message(`@HaltStateGuard: ${name} must accept the method's arguments (the same types; it may take fewer)`);

it.each([
  [true, 'legacy'],
  [false, 'TC39'],
])('experimentalDecorators %s (%s decorators): each mistake is an error that names it', (legacy) => {
  const errors = compile(legacy);
  const method = (signature: string) => (legacy ? `void | TypedPropertyDescriptor<${signature}>` : `void | (${signature})`);
  const line = (at: string, text: string, expected: string) => `test/type-errors/mistakes.ts(${at},4): error TS1270: Decorator function return type ${text} is not assignable to type '${expected}'.`;
  expect(errors).toEqual([
    line('7', message(`@HaltStateGuard goes on methods, not ${legacy ? 'getters or setters' : 'getters'}`), legacy ? 'void | TypedPropertyDescriptor<number>' : 'void | (() => number)'),
    line('12', callbacks('params'), method('(invoiceId: string, amount: number) => Promise<(string | number)[]>')),
    line('17', callbacks('idempotencyKey'), method('(invoiceId: string) => Promise<string>')),
    line('22', callbacks('metadata'), method('(invoiceId: string, amount: number) => Promise<(string | number)[]>')),
    line('27', message(`@HaltStateGuard goes on methods, not ${legacy ? 'getters or setters' : 'setters'}`), legacy ? 'void | TypedPropertyDescriptor<string>' : 'void | ((value: string) => void)'),
    legacy
      ? `test/type-errors/mistakes.ts(32,4): error TS1271: Decorator function return type is ${message('@HaltStateGuard goes on methods, not fields')} but is expected to be 'void' or 'any'.`
      : line('32', message('@HaltStateGuard goes on methods, not fields'), 'void | ((this: Mistakes, value: number) => number)'),
  ]);
}, 90_000);
