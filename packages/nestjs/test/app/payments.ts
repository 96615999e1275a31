import { Body, Controller, Get, Injectable, Module, Param, Post, Scope, UseFilters } from '@nestjs/common';
import { HaltStateExceptionFilter, HaltStateGuard } from '@haltstate/nestjs';

export const ledger: string[] = [];

@Injectable()
export class PaymentsService {
  @HaltStateGuard({ action: 'payment.process', agentId: 'nest-bot', params: (invoiceId: string, amount: number) => ({ invoiceId, amount, currency: 'USD' }) })
  async pay(invoiceId: string, amount: number) {
    ledger.push(`pay ${invoiceId} ${amount}`);
    return { transactionId: `tx_${invoiceId}` };
  }

  @HaltStateGuard('database.drop', 'nest-bot')
  async drop(table: string) {
    ledger.push(`drop ${table}`);
  }
}

/** A new instance per request: the guard must work all the same. */
@Injectable({ scope: Scope.REQUEST })
export class AuditExporter {
  @HaltStateGuard('read.audit', 'nest-bot')
  async export(format: string) {
    ledger.push(`export ${format}`);
    return `exported ${format}`;
  }
}

@Injectable({ scope: Scope.TRANSIENT })
export class TransientReader {
  @HaltStateGuard('read.thing', 'nest-bot')
  read(id: string) {
    return `read ${id}`;
  }
}

@UseFilters(HaltStateExceptionFilter)
@Controller('payments')
export class PaymentsController {
  constructor(
    private readonly payments: PaymentsService,
    private readonly exporter: AuditExporter,
    private readonly reader: TransientReader,
  ) {}

  @Post(':invoiceId')
  pay(@Param('invoiceId') invoiceId: string, @Body() body: { amount: number }) {
    return this.payments.pay(invoiceId, body.amount);
  }

  @Post('tables/:table/drop')
  drop(@Param('table') table: string) {
    return this.payments.drop(table);
  }

  @Get('audit/:format')
  exportAudit(@Param('format') format: string) {
    return this.exporter.export(format);
  }

  @Get('things/:id')
  async thing(@Param('id') id: string) {
    return { value: await this.reader.read(id) };
  }

  // A controller handler guarded directly, with the route decorator above and below.
  @HaltStateGuard({ action: 'payment.refund', agentId: 'nest-bot', params: (invoiceId: string) => ({ invoiceId, amount: 99999 }) })
  @Post(':invoiceId/refund')
  refund(@Param('invoiceId') invoiceId: string) {
    ledger.push(`refund ${invoiceId}`);
    return { refunded: invoiceId };
  }

  @Get('health')
  @HaltStateGuard('read.health', 'nest-bot')
  health() {
    return { ok: true };
  }
}

@Module({ controllers: [PaymentsController], providers: [PaymentsService, AuditExporter, TransientReader] })
export class PaymentsModule {}
