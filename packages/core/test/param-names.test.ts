// haltstateGuard and @HaltStateGuard send the same params for the same function: named from its
// parameter list. Minified code has no names worth sending (they change with every build): it is
// refused, with a message that says to pass `params`.
import { transformSync } from 'esbuild';
import { haltstateGuard, HaltStateValidationError, parameterNames, paramsFromArguments } from '@haltstate/core';
import { api, json, makeClient, PREFIX, setupNock } from './helpers/api';

setupNock();

/** Compiles TypeScript with esbuild and loads it as CommonJS. */
function compile<T>(source: string, options: { minify?: boolean; minifyWhitespace?: boolean } = {}): T {
  const { code } = transformSync(source, { loader: 'ts', format: 'cjs', ...options });
  const module = { exports: {} as T };
  new Function('module', 'exports', code)(module, module.exports);
  return module.exports;
}

const SOURCE = `
export function sendEmail(recipient: string, subject: string) { return recipient + subject; }
export class Mailer { async send(recipient: string, body: string) { return recipient + body; } }
export const notify = (recipient: string, message: string) => recipient + message;
`;
type Compiled = { sendEmail: (r: string, s: string) => string; Mailer: new () => { send: (r: string, b: string) => Promise<string> }; notify: (r: string, m: string) => string };

const validationError = (fn: () => unknown): HaltStateValidationError => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(HaltStateValidationError);
    return error as HaltStateValidationError;
  }
  throw new Error('expected a HaltStateValidationError');
};

describe('params named from the parameter list', () => {
  it('names each argument after its parameter', () => {
    function sendEmail(to: string, subject: string, retries = 3) {
      return `${to}${subject}${retries}`;
    }
    expect(paramsFromArguments(sendEmail, ['bob@example.com', 'Hi', 1])).toEqual({ to: 'bob@example.com', subject: 'Hi', retries: 1 });
    expect(paramsFromArguments(sendEmail, ['bob@example.com', 'Hi'])).toEqual({ to: 'bob@example.com', subject: 'Hi' });
    expect(parameterNames(sendEmail)).toEqual(['to', 'subject', 'retries']);
  });

  it('reads arrows (with and without parentheses), async functions and methods', () => {
    const arrow = (invoiceId: string, amount: number) => invoiceId + amount;
    // prettier-ignore
    const bare = ((invoiceId: string) => invoiceId.length) as (invoiceId: string) => number;
    const single = eval('invoiceId => invoiceId.length') as (invoiceId: string) => number;
    class Payments {
      async pay(invoiceId: string, amount: number, /* a comment */ currency = { code: 'USD' }) {
        return [invoiceId, amount, currency];
      }
    }
    expect(parameterNames(arrow)).toEqual(['invoiceId', 'amount']);
    expect(parameterNames(bare)).toEqual(['invoiceId']);
    expect(parameterNames(single)).toEqual(['invoiceId']);
    expect(parameterNames(Payments.prototype.pay)).toEqual(['invoiceId', 'amount', 'currency']);
  });

  it('falls back to { args } when the names cannot be read or more arguments came than parameters', () => {
    const destructured = ({ to }: { to: string }) => to;
    const rest = (...recipients: string[]) => recipients.length;
    const native = Math.max;
    expect(paramsFromArguments(destructured, [{ to: 'bob' }])).toEqual({ args: [{ to: 'bob' }] });
    expect(paramsFromArguments(rest, ['a@x', 'b@x'])).toEqual({ args: ['a@x', 'b@x'] });
    expect(paramsFromArguments(native, [1, 2])).toEqual({ args: [1, 2] });
    expect(paramsFromArguments((to: string) => to, ['bob', 'extra'])).toEqual({ args: ['bob', 'extra'] });
  });

  it('reads what esbuild emits without minifying', () => {
    const { sendEmail, Mailer, notify } = compile<Compiled>(SOURCE);
    expect(paramsFromArguments(sendEmail, ['bob@example.com', 'Hi'])).toEqual({ recipient: 'bob@example.com', subject: 'Hi' });
    expect(paramsFromArguments(Mailer.prototype.send, ['bob@example.com', 'Hi'])).toEqual({ recipient: 'bob@example.com', body: 'Hi' });
    expect(paramsFromArguments(notify, ['bob@example.com', 'Hi'])).toEqual({ recipient: 'bob@example.com', message: 'Hi' });
  });

  it('refuses code minified by esbuild --minify (one-letter names), saying to pass params', () => {
    const { sendEmail, Mailer, notify } = compile<Compiled>(SOURCE, { minify: true });
    for (const fn of [sendEmail, Mailer.prototype.send, notify]) {
      const error = validationError(() => paramsFromArguments(fn, ['bob@example.com', 'Hi']));
      expect(error.path).toBe('params');
      expect(error.message).toMatch(/looks minified/);
      expect(error.message).toMatch(/pass `params`/i);
    }
  });

  it('refuses a parameter list printed "(a,b){" as minifiers do, even with long names', () => {
    const { sendEmail, notify } = compile<Compiled>(SOURCE, { minifyWhitespace: true });
    expect(validationError(() => parameterNames(sendEmail)).message).toContain('(recipient,subject)');
    expect(() => parameterNames(notify)).toThrow(HaltStateValidationError);
  });

  it('refuses a one-letter parameter name', () => {
    const error = validationError(() => parameterNames((x: number, label: string) => label + x));
    expect(error.message).toContain('"x"');
  });
});

describe('haltstateGuard params', () => {
  it('sends the named params the decorator sends (quickstart sample 5 matches a rule on params.to)', async () => {
    let sent: unknown;
    api()
      .post(`${PREFIX}/action/check`, (body: { params: unknown }) => ((sent = body.params), true))
      .reply(200, { decision: 'ALLOW', policy_id: 'email' }, json);
    api().post(`${PREFIX}/action/report`).reply(200, {}, json);
    const client = makeClient();
    async function rawSendEmail(to: string, subject: string) {
      return { to, subject, sent: true };
    }
    const sendEmail = haltstateGuard(client, { action: 'email.send' })(rawSendEmail);
    expect(await sendEmail('bob@example.com', 'Hi')).toEqual({ to: 'bob@example.com', subject: 'Hi', sent: true });
    expect(sent).toEqual({ to: 'bob@example.com', subject: 'Hi' });
    await client.flush();
  });

  it('refuses a minified function when it is wrapped, not when it is first called', () => {
    const { sendEmail } = compile<Compiled>(SOURCE, { minify: true });
    const error = validationError(() => haltstateGuard(makeClient(), { action: 'email.send' })(sendEmail));
    expect(error.message).toContain('haltstateGuard(client, { action, params: (');
  });

  it('uses the params option as given, whatever the function looks like', async () => {
    let sent: unknown;
    api()
      .post(`${PREFIX}/action/check`, (body: { params: unknown }) => ((sent = body.params), true))
      .reply(200, { decision: 'ALLOW' }, json);
    api().post(`${PREFIX}/action/report`).reply(200, {}, json);
    const client = makeClient();
    const { sendEmail } = compile<Compiled>(SOURCE, { minify: true });
    const guarded = haltstateGuard(client, { action: 'email.send', params: (to: string, subject: string) => ({ to, subject }) })(sendEmail);
    await guarded('bob@example.com', 'Hi');
    expect(sent).toEqual({ to: 'bob@example.com', subject: 'Hi' });
    await client.flush();
  });
});
