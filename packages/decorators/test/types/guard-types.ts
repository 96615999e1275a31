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

  // @ts-expect-error the key function's argument types come from params
  @HaltStateGuard({ action: 'a', params: (id: string) => ({ id }), idempotencyKey: (id: number) => `${id}` })
  async wrongKey(id: string) {
    return id;
  }

  @HaltStateGuard('report.export', 'report-bot')
  async anything(from: Date, options: { format: 'csv' | 'pdf' }) {
    return [from, options];
  }

  @HaltStateGuard('report.static')
  static async staticMethod(name: string) {
    return name;
  }

  // @ts-expect-error a getter is not a method
  @HaltStateGuard('x')
  get total() {
    return 1;
  }
}

// The decorated method keeps its own signature for callers.
const checks = new Checks();
void checks.pay('INV-1', 10);
// @ts-expect-error callers still get the method's types
void checks.pay(10, 'INV-1');
