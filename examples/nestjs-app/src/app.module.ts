import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { HaltStateModule } from '@haltstate/nestjs';
import { PaymentsController } from './payments.controller';
import { PaymentsService } from './payments.service';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    // The production shape: options from configuration, validated when the app starts.
    HaltStateModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        baseUrl: config.get<string>('HALTSTATE_BASE_URL'),
        tenantId: config.get<string>('HALTSTATE_TENANT_ID'),
        apiKey: config.get<string>('HALTSTATE_API_KEY'),
      }),
      isGlobal: true,
    }),
  ],
  controllers: [PaymentsController],
  providers: [PaymentsService],
})
export class AppModule {}
