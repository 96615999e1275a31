// Compiled by test/without-tsyringe.test.ts where tsyringe is not installed, with skipLibCheck
// off: the packages' declarations must not need tsyringe's.
import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { HaltStateClient, HaltStateGuard, HaltStateModule } from '@haltstate/nestjs';

@Injectable()
export class PaymentsService {
  constructor(readonly client: HaltStateClient) {}

  @HaltStateGuard({ action: 'payment.process', params: (invoiceId: string, amount: number) => ({ invoiceId, amount }) })
  async pay(invoiceId: string, amount: number) {
    return { invoiceId, amount };
  }
}

@Module({ imports: [HaltStateModule.forRoot({ tenantId: 'acme', apiKey: process.env.HALTSTATE_API_KEY, isGlobal: true })], providers: [PaymentsService] })
export class AppModule {}

export const boot = () => NestFactory.createApplicationContext(AppModule);
