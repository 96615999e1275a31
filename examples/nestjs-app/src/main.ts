// Starts the bundled local server and the Nest app against it; prints what to try.
import 'reflect-metadata';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { createLocalServer } from '@haltstate/local';
import { AppModule } from './app.module';

async function bootstrap(): Promise<void> {
  const haltstate = await createLocalServer({ policy: join(__dirname, '../../policy.yaml'), port: Number(process.env.HALTSTATE_PORT ?? 8787) });
  const tenant = haltstate.tenants.find((entry) => entry.id === 'demo')!;
  Object.assign(process.env, { HALTSTATE_BASE_URL: haltstate.url, HALTSTATE_TENANT_ID: tenant.id, HALTSTATE_API_KEY: tenant.apiKey });

  const app = await NestFactory.create(AppModule);
  app.enableShutdownHooks();
  await app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
  const url = await app.getUrl();
  console.log(`Nest app on ${url}, HaltState local server on ${haltstate.url} (approvals page, a one-time sign-in link: ${haltstate.signInUrl(tenant.id)})`);
  console.log(`  curl -X POST ${url}/payments/INV-1 -H 'content-type: application/json' -d '{"amount":100}'    # 201: allowed`);
  console.log(`  curl -X POST ${url}/payments/INV-2 -H 'content-type: application/json' -d '{"amount":5000}'   # 202: approve it in the page, then send again`);
  console.log(`  curl -X POST ${url}/payments/admin/drop/users                                                 # 403: denied`);
  const stop = async () => {
    await app.close();
    await haltstate.close();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

void bootstrap();
