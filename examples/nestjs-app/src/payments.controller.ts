import { Body, Controller, Get, Param, Post, UseFilters } from '@nestjs/common';
import { HaltStateExceptionFilter } from '@haltstate/nestjs';
import { PaymentsService } from './payments.service';

/** HTTP in front of the service; the filter turns HaltState outcomes into 202/403/409/410/429/503. */
@UseFilters(HaltStateExceptionFilter)
@Controller('payments')
export class PaymentsController {
  constructor(private readonly payments: PaymentsService) {}

  @Post(':invoiceId')
  pay(@Param('invoiceId') invoiceId: string, @Body() body: { amount: number; currency?: string }) {
    return this.payments.pay(invoiceId, body.amount, body.currency ?? 'USD');
  }

  @Post('admin/drop/:table')
  drop(@Param('table') table: string) {
    return this.payments.dropTable(table);
  }

  @Get('ledger')
  ledger() {
    return this.payments.ledger;
  }
}
