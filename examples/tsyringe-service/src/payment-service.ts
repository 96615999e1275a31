import { injectable } from 'tsyringe';
import { HaltStateGuard } from '@haltstate/decorators';

/** A service whose side effects are gated by HaltState, one line per method. */
@injectable()
export class PaymentService {
  readonly ledger: string[] = [];

  /** Check flow: params are named from the parameter list ({ invoiceId, amount, currency }). */
  @HaltStateGuard('payment.process', 'payment-bot-01')
  async pay(invoiceId: string, amount: number, currency: string) {
    this.ledger.push(`paid ${amount} ${currency} for ${invoiceId}`);
    return { transactionId: `tx_${invoiceId}` };
  }

  /** Guard flow: idempotent by invoice, waits for a human when the policy asks for one. */
  @HaltStateGuard({
    action: 'payment.process',
    agentId: 'payment-bot-01',
    params: (invoiceId: string, amount: number) => ({ invoiceId, amount, currency: 'USD' }),
    idempotencyKey: (invoiceId) => `payment-${invoiceId}`,
    metadata: (invoiceId) => ({ invoiceUrl: `https://erp.example/invoices/${invoiceId}` }),
    wait: { timeoutMs: 60_000 },
  })
  async payLarge(invoiceId: string, amount: number) {
    this.ledger.push(`paid ${amount} USD for ${invoiceId} (approved)`);
    return { transactionId: `tx_${invoiceId}` };
  }

  @HaltStateGuard('database.drop', 'payment-bot-01')
  async dropTable(table: string) {
    this.ledger.push(`dropped ${table}`);
  }
}
