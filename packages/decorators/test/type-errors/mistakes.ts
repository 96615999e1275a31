// Compiled by test/type-errors.test.ts in both decorator modes; every decorator here is a
// mistake, and each must fail with a message that names it (the test pins the messages).
import 'reflect-metadata';
import { HaltStateGuard } from '@haltstate/decorators';

export class Mistakes {
  @HaltStateGuard('report.total')
  get total() {
    return 1;
  }

  @HaltStateGuard({ action: 'payment.process', params: (invoiceId: number) => ({ invoiceId }) })
  async wrongParams(invoiceId: string, amount: number) {
    return [invoiceId, amount];
  }

  @HaltStateGuard({ action: 'payment.process', idempotencyKey: (invoiceId: boolean) => `k-${invoiceId}` })
  async wrongKey(invoiceId: string) {
    return invoiceId;
  }

  @HaltStateGuard({ action: 'payment.process', params: (invoiceId: string) => ({ invoiceId }), metadata: (invoiceId: string, amount: string) => ({ invoiceId, amount }) })
  async wrongMetadata(invoiceId: string, amount: number) {
    return [invoiceId, amount];
  }

  @HaltStateGuard('report.label')
  set label(value: string) {
    void value;
  }

  @HaltStateGuard('report.count')
  count = 0;
}
