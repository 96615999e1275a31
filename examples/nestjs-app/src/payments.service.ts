import { Injectable } from '@nestjs/common';
import { HaltStateGuard } from '@haltstate/nestjs';

/** Business logic with side effects: each gated by one decorator. */
@Injectable()
export class PaymentsService {
  readonly ledger: string[] = [];

  @HaltStateGuard({
    action: 'payment.process',
    agentId: 'payment-bot-01',
    params: (invoiceId: string, amount: number, currency: string) => ({ invoiceId, amount, currency }),
    idempotencyKey: (invoiceId) => `payment-${invoiceId}`,
  })
  async pay(invoiceId: string, amount: number, currency: string) {
    this.ledger.push(`paid ${amount} ${currency} for ${invoiceId}`);
    return { invoiceId, transactionId: `tx_${invoiceId}` };
  }

  @HaltStateGuard('database.drop', 'payment-bot-01')
  async dropTable(table: string) {
    this.ledger.push(`dropped ${table}`);
  }
}
