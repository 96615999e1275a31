import 'reflect-metadata';
import nock from 'nock';
import { container, injectable } from 'tsyringe';
import { ActionDenied, ApprovalPending, HaltStateClient, HaltStateValidationError, REDACTED } from '@haltstate/core';
import { HaltStateGuard, createClientScope, getGuardedMethods, registerHaltState, setClientResolver, tsyringeResolver } from '@haltstate/decorators';
import { testKey } from '@test-support/keys';
import { setupNock } from '@test-support/nock';

const BASE = 'https://haltstate.test';
const KEY = testKey('decorators');
const json = { 'content-type': 'application/json' };
const options = { tenantId: 'acme', apiKey: KEY, baseUrl: BASE, agentId: 'bot', retries: 0, onReportError: () => undefined };
const api = () => nock(BASE).matchHeader('x-api-key', KEY);

setupNock();
afterEach(() => container.reset());

/** Reports are queued: flush the registered client to see them sent. */
const flush = (name?: string) => (name ? container.resolve<HaltStateClient>(Symbol.for(`HALTSTATE:CLIENT:${name}`)) : container.resolve<HaltStateClient>(Symbol.for('HALTSTATE:CLIENT'))).flush();

@injectable()
class PaymentService {
  calls: unknown[][] = [];
  readonly currency = 'EUR';

  @HaltStateGuard('payment.process', 'payment-bot')
  async pay(invoiceId: string, amount: number) {
    this.calls.push([invoiceId, amount]);
    return { transactionId: `tx_${invoiceId}`, currency: this.currency, token: 'secret-token' };
  }

  @HaltStateGuard({ action: 'payment.refund', params: (invoiceId: string, amount: number) => ({ invoiceId, amount }), idempotencyKey: (invoiceId: string) => `refund-${invoiceId}` })
  refund(invoiceId: string, amount: number) {
    this.calls.push(['refund', invoiceId, amount]);
    return amount; // sync: becomes async
  }

  @HaltStateGuard({ action: 'payment.fail' })
  async fail(reason: string) {
    throw new Error(`declined: ${reason}`);
  }

  @HaltStateGuard('report.export')
  static async exportAll(format = 'csv') {
    return `exported ${format}`;
  }

  @HaltStateGuard({ action: 'payment.named', client: 'payments' })
  async named() {
    return 'named';
  }
}

describe('@HaltStateGuard (legacy decorators, tsyringe)', () => {
  it('check → run → report, with params named from the parameter list and the result redacted', async () => {
    registerHaltState(options);
    api().post('/api/sentinel/action/check', { agent_id: 'payment-bot', action: 'payment.process', params: { invoiceId: 'INV-1', amount: 50 } }).reply(200, { decision: 'ALLOW', policy_id: 'p' }, json);
    const report = api()
      .post('/api/sentinel/action/report', (body) => body.status === 'success' && body.result.transactionId === 'tx_INV-1' && body.result.token === REDACTED && body.agent_id === 'payment-bot')
      .reply(200, {}, json);
    const service = container.resolve(PaymentService);
    await expect(service.pay('INV-1', 50)).resolves.toEqual({ transactionId: 'tx_INV-1', currency: 'EUR', token: 'secret-token' });
    expect(service.calls).toEqual([['INV-1', 50]]);
    await flush();
    report.done();
  });

  it('denied: ActionDenied, the method does not run, nothing is reported', async () => {
    registerHaltState(options);
    api().post('/api/sentinel/action/check').reply(200, { decision: 'DENY', reason: 'Too large', policy_id: 'limit' }, json);
    const service = container.resolve(PaymentService);
    await expect(service.pay('INV-2', 99999)).rejects.toMatchObject({ name: 'ActionDenied', reason: 'Too large', policyId: 'limit' });
    expect(service.calls).toEqual([]);
  });

  it('approval required: ApprovalPending with the approval id, the method does not run', async () => {
    registerHaltState(options);
    api().post('/api/sentinel/action/check').reply(200, { decision: 'APPROVAL_REQUIRED', approval_id: 'apr-1' }, json);
    const service = container.resolve(PaymentService);
    const error = await service.pay('INV-3', 5000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApprovalPending);
    expect((error as ApprovalPending).approvalId).toBe('apr-1');
    expect(service.calls).toEqual([]);
  });

  it('with an idempotency key: the guard flow, typed params, a sync method made async', async () => {
    registerHaltState(options);
    api().post('/api/sentinel/action/guard', { agent_id: 'bot', action: 'payment.refund', params: { invoiceId: 'INV-4', amount: 20 }, idempotency_key: 'refund-INV-4', tenant_id: 'acme' }).reply(200, { status: 'allowed' }, json);
    const report = api().post('/api/sentinel/action/guard/report', { idempotency_key: 'refund-INV-4', action: 'payment.refund', agent_id: 'bot', outcome: 'success', error: null }).reply(200, {}, json);
    const service = container.resolve(PaymentService);
    const result = service.refund('INV-4', 20);
    expect(result).toBeInstanceOf(Promise);
    await expect(result).resolves.toBe(20);
    await flush();
    report.done();
  });

  it('reports the error and rethrows the original error untouched', async () => {
    registerHaltState(options);
    api().post('/api/sentinel/action/check', (body) => body.params.reason === 'card expired').reply(200, { decision: 'ALLOW' }, json);
    const report = api().post('/api/sentinel/action/report', (body) => body.status === 'error' && body.result.error === 'declined: card expired').reply(200, {}, json);
    const service = container.resolve(PaymentService);
    const error = await service.fail('card expired').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe('declined: card expired');
    await flush();
    report.done();
  });

  it('static methods work, and default parameter values still name the params', async () => {
    registerHaltState(options);
    api().post('/api/sentinel/action/check', { agent_id: 'bot', action: 'report.export', params: { format: 'pdf' } }).reply(200, { decision: 'ALLOW' }, json);
    api().post('/api/sentinel/action/report').reply(200, {}, json);
    await expect(PaymentService.exportAll('pdf')).resolves.toBe('exported pdf');
    await flush();
  });

  it('named clients resolve by name; a missing one fails with how to register it, and the method does not run', async () => {
    registerHaltState(options);
    const service = container.resolve(PaymentService);
    const error = await service.named().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HaltStateValidationError);
    expect((error as Error).message).toMatch(/no HaltState client named "payments" is registered, so the method did not run\. Call registerHaltState\(\{ tenantId, apiKey \}, \{ name: 'payments' \}\)/);
    registerHaltState({ ...options, tenantId: 'payments-tenant' }, { name: 'payments' });
    nock(BASE).matchHeader('x-tenant-id', 'payments-tenant').post('/api/sentinel/action/check').reply(200, { decision: 'ALLOW' }, json);
    nock(BASE).post('/api/sentinel/action/report').reply(200, {}, json);
    await expect(service.named()).resolves.toBe('named');
    await flush('payments');
  });

  it('with no client at all, says how to register one and does not run', async () => {
    const service = container.resolve(PaymentService);
    await expect(service.pay('INV-5', 1)).rejects.toThrow(/Call registerHaltState\(\{ tenantId, apiKey \}\) from @haltstate\/decorators/);
    expect(service.calls).toEqual([]);
    const { pay } = service; // called without a receiver: still a typed error
    await expect(pay('INV-5', 1)).rejects.toThrow(/Call registerHaltState\(\{ tenantId, apiKey \}\) from @haltstate\/decorators/);
  });

  it('honours child containers: a service resolved from a child uses the child\'s client', async () => {
    registerHaltState(options);
    const child = container.createChildContainer();
    registerHaltState({ ...options, tenantId: 'child-tenant' }, { container: child });
    nock(BASE).matchHeader('x-tenant-id', 'child-tenant').post('/api/sentinel/action/check').reply(200, { decision: 'DENY', reason: 'child says no' }, json);
    nock(BASE).matchHeader('x-tenant-id', 'acme').post('/api/sentinel/action/check').reply(200, { decision: 'DENY', reason: 'root says no' }, json);
    await expect(child.resolve(PaymentService).pay('a', 1)).rejects.toMatchObject({ reason: 'child says no' });
    await expect(container.resolve(PaymentService).pay('a', 1)).rejects.toMatchObject({ reason: 'root says no' });
  });

  it('another adapter can install its own resolver', async () => {
    const client = new HaltStateClient(options);
    const previous = setClientResolver(({ instance, target }) => (instance instanceof PaymentService && target === PaymentService ? client : undefined));
    try {
      api().post('/api/sentinel/action/check').reply(200, { decision: 'DENY', reason: 'custom' }, json);
      await expect(new PaymentService().pay('a', 1)).rejects.toBeInstanceOf(ActionDenied);
    } finally {
      expect(setClientResolver(previous)).not.toBe(tsyringeResolver);
    }
  });

  it("client scopes: an app's objects use its client before any resolver; closed, they are refused", async () => {
    registerHaltState(options);
    const scoped = new HaltStateClient({ ...options, tenantId: 'scoped' });
    const scope = createClientScope('app one', (name) => (name === undefined ? scoped : undefined));
    const mine = container.resolve(PaymentService);
    scope.bind(mine);
    nock(BASE).matchHeader('x-tenant-id', 'scoped').post('/api/sentinel/action/check').reply(200, { decision: 'DENY', reason: 'scoped says no' }, json);
    nock(BASE).matchHeader('x-tenant-id', 'acme').post('/api/sentinel/action/check').reply(200, { decision: 'DENY', reason: 'root says no' }, json);
    await expect(mine.pay('a', 1)).rejects.toMatchObject({ reason: 'scoped says no' });
    await expect(container.resolve(PaymentService).pay('a', 1)).rejects.toMatchObject({ reason: 'root says no' });
    await expect(mine.named()).rejects.toThrow(/PaymentService\.named: app one has no client named "payments", so the method did not run/);
    scope.close();
    await expect(mine.pay('a', 1)).rejects.toThrow(/this object belongs to app one that was closed, so the method did not run/);
    expect(mine.calls).toEqual([]);
  });

  it('falls back to { args } when names cannot be read or extra arguments come', async () => {
    const client = new HaltStateClient(options);
    class Odd {
      @HaltStateGuard({ action: 'odd.destructured', client })
      async destructured({ a }: { a: number }, ...rest: number[]) {
        return a + rest.length;
      }
    }
    api().post('/api/sentinel/action/check', { agent_id: 'bot', action: 'odd.destructured', params: { args: [{ a: 1 }, 2, 3] } }).reply(200, { decision: 'ALLOW' }, json);
    api().post('/api/sentinel/action/report').reply(200, {}, json);
    await expect(new Odd().destructured({ a: 1 }, 2, 3)).resolves.toBe(3);
    await client.flush();
  });

  it('refuses parameter names that look minified when the class is defined, unless params are given', () => {
    const guard = (fn: Function, options: object | string = 'x.y') => {
      const target = { run: fn };
      try {
        HaltStateGuard(options as never)(target, 'run', Object.getOwnPropertyDescriptor(target, 'run')!);
        return 'guarded';
      } catch (error) {
        expect(error).toBeInstanceOf(HaltStateValidationError);
        return (error as HaltStateValidationError).message;
      }
    };
    expect(guard(function (e: string, t: string) { return [e, t]; })).toMatch(/Object\.run: Cannot name the params of .*parameter "e" has a one-letter name.*Pass `params`/);
    expect(guard(new Function('aa', 'ba', 'return aa'))).toMatch(/printed \(aa,ba\s*\), as minifiers print it/); // printed `(aa,ba\n)`, no space after the comma
    expect(guard(eval('(function (aa,ba){ return aa; })'))).toMatch(/looks minified/);
    expect(guard(function (id: string, to: string) { return [id, to]; })).toBe('guarded');
    expect(guard(function () { return 1; })).toBe('guarded');
    expect(guard(function (e: string) { return e; }, { action: 'x.y', params: (e: string) => ({ email: e }) })).toBe('guarded');
  });

  it('records its options on the class for discovery', () => {
    const methods = getGuardedMethods(PaymentService);
    expect(methods.map((entry) => [entry.method, entry.static, entry.options.action])).toEqual([
      ['pay', false, 'payment.process'],
      ['refund', false, 'payment.refund'],
      ['fail', false, 'payment.fail'],
      ['exportAll', true, 'report.export'],
      ['named', false, 'payment.named'],
    ]);
    class Sub extends PaymentService {}
    expect(getGuardedMethods(Sub)).toHaveLength(5);
  });

  it('refuses getters, setters, fields and a missing action, clearly', () => {
    const apply = (fn: () => void) => {
      try {
        fn();
      } catch (error) {
        return (error as Error).message;
      }
      return 'no error';
    };
    expect(apply(() => {
      class A {
        @(HaltStateGuard('x') as unknown as PropertyDecorator)
        value = 1;
      }
      void A;
    })).toMatch(/goes on methods; A\.value is a field/);
    expect(apply(() => {
      class B {
        @(HaltStateGuard('x') as unknown as MethodDecorator)
        get total() {
          return 1;
        }
      }
      void B;
    })).toMatch(/B\.total is a getter/);
    expect(apply(() => HaltStateGuard(''))).toMatch(/non-empty action/);
    expect(apply(() => HaltStateGuard({ action: 'a', params: 'nope' as never }))).toMatch(/params must be a function/);
  });
});
