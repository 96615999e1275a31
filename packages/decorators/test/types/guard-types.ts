// Type tests, compiled by tsc in both decorator modes (test/decorator-modes.test.ts).
// Each @ts-expect-error must be an error, and everything else must compile.
import 'reflect-metadata';
import { HaltStateGuard } from '@haltstate/decorators';

export class Checks {
  @HaltStateGuard({ action: 'payment.process', params: (invoiceId: string, amount: number) => ({ invoiceId, amount }), idempotencyKey: (invoiceId) => `payment-${invoiceId}` })
  async pay(invoiceId: string, amount: number) {
    return { invoiceId, amount };
  }

  // @ts-expect-error params takes a number where the method takes a string
  @HaltStateGuard({ action: 'a', params: (id: number) => ({ id }) })
  async wrongType(id: string) {
    return id;
  }

  // @ts-expect-error params expects two arguments, the method declares one of another type
  @HaltStateGuard({ action: 'a', params: (id: string, amount: number) => ({ id, amount }) })
  async wrongArity(id: boolean) {
    return id;
  }

  // @ts-expect-error the key function takes a number where the method passes a string
  @HaltStateGuard({ action: 'a', params: (id: string) => ({ id }), idempotencyKey: (id: number) => `${id}` })
  async wrongKey(id: string) {
    return id;
  }

  // @ts-expect-error with params as well: the key function's own argument type is checked against the method
  @HaltStateGuard({ action: 'a', params: (invoiceId: string, amount: number) => ({ invoiceId, amount }), idempotencyKey: (invoiceId: boolean) => `${invoiceId}` })
  async keyWithParams(invoiceId: string, amount: number) {
    return [invoiceId, amount];
  }

  // @ts-expect-error without params: the key function takes a boolean, the method passes a string
  @HaltStateGuard({ action: 'a', idempotencyKey: (invoiceId: boolean) => `${invoiceId}` })
  async keyWithoutParams(invoiceId: string, amount: number) {
    return [invoiceId, amount];
  }

  // @ts-expect-error without params: metadata takes a number, the method passes a string
  @HaltStateGuard({ action: 'a', metadata: (invoiceId: number) => ({ invoiceId }) })
  async metadataWithoutParams(invoiceId: string) {
    return invoiceId;
  }

  // @ts-expect-error with params: metadata's second argument is a string, the method's a number
  @HaltStateGuard({ action: 'a', params: (invoiceId: string, amount: number) => ({ invoiceId, amount }), metadata: (invoiceId: string, amount: string) => ({ invoiceId, amount }) })
  async metadataWithParams(invoiceId: string, amount: number) {
    return [invoiceId, amount];
  }

  // @ts-expect-error without params: the key function wants more arguments than the method has
  @HaltStateGuard({ action: 'a', idempotencyKey: (invoiceId: string, attempt: number) => `${invoiceId}-${attempt}` })
  async keyTooManyArguments(invoiceId: string) {
    return invoiceId;
  }

  // Callbacks may take fewer arguments than the method, with or without params.
  @HaltStateGuard({ action: 'a', idempotencyKey: (invoiceId: string) => `k-${invoiceId}`, metadata: () => ({ source: 'types' }) })
  async fewerWithoutParams(invoiceId: string, amount: number) {
    return [invoiceId, amount];
  }

  @HaltStateGuard({ action: 'a', params: (invoiceId: string, amount: number) => ({ invoiceId, amount }), idempotencyKey: (invoiceId: string) => `k-${invoiceId}`, metadata: (invoiceId) => ({ invoiceId }) })
  async fewerWithParams(invoiceId: string, amount: number) {
    return [invoiceId, amount];
  }

  // params may take fewer arguments than the method, annotated or not, or none.
  @HaltStateGuard({ action: 'a', params: (invoiceId: string) => ({ invoiceId }) })
  async paramsFewer(invoiceId: string, amount: number) {
    return [invoiceId, amount];
  }

  @HaltStateGuard({ action: 'a', params: (invoiceId) => ({ invoiceId }) })
  async paramsFewerUnannotated(invoiceId: string, amount: number) {
    return [invoiceId, amount];
  }

  @HaltStateGuard({ action: 'a', params: () => ({ kind: 'nightly' }) })
  async paramsNone(from: Date, to: Date) {
    return [from, to];
  }

  @HaltStateGuard({ action: 'a', params: (to: string) => ({ to }), idempotencyKey: (to: string, subject?: string) => `${to}-${subject}` })
  sendSync(to: string, subject?: string) {
    return [to, subject];
  }

  @HaltStateGuard({ action: 'a', params: (to: string) => ({ to }), wait: true })
  static async paramsFewerStatic(to: string, ...cc: string[]) {
    return [to, cc];
  }

  // @ts-expect-error params may take fewer arguments, not more
  @HaltStateGuard({ action: 'a', params: (invoiceId: string, amount: number) => ({ invoiceId, amount }) })
  async paramsMore(invoiceId: string) {
    return invoiceId;
  }

  // @ts-expect-error unannotated, the key takes its argument types from params, which has one: annotate it
  @HaltStateGuard({ action: 'a', params: (invoiceId: string) => ({ invoiceId }), idempotencyKey: (invoiceId, amount) => `${invoiceId}-${String(amount)}` })
  async keyBeyondParams(invoiceId: string, amount: number) {
    return [invoiceId, amount];
  }

  // Unannotated callbacks take their argument types from params.
  @HaltStateGuard({ action: 'a', params: (invoiceId: string, amount: number) => ({ invoiceId, amount }), idempotencyKey: (invoiceId, amount) => `${invoiceId.toUpperCase()}-${amount.toFixed(2)}` })
  async contextual(invoiceId: string, amount: number) {
    return [invoiceId, amount];
  }

  @HaltStateGuard('report.export', 'report-bot')
  async anything(from: Date, options: { format: 'csv' | 'pdf' }) {
    return [from, options];
  }

  @HaltStateGuard('report.static')
  static async staticMethod(name: string) {
    return name;
  }

  // @ts-expect-error a getter is not a method (the message says so: test/type-errors.test.ts)
  @HaltStateGuard('x')
  get total() {
    return 1;
  }

  // @ts-expect-error nor is a setter
  @HaltStateGuard('x')
  set label(value: string) {
    void value;
  }

  // @ts-expect-error nor a field
  @HaltStateGuard('x')
  count = 0;
}

// The decorated method keeps its own signature for callers.
const checks = new Checks();
void checks.pay('INV-1', 10);
// @ts-expect-error callers still get the method's types
void checks.pay(10, 'INV-1');
