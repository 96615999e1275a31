// Run by test/dual-package.test.ts. An ESM app: its HaltState errors come from `import` (core's
// ESM build), while the Nest adapter comes through `require` and so uses core's CommonJS build.
import { createRequire } from 'node:module';
import * as esmCore from '@haltstate/core';

const require = createRequire(import.meta.url);
require('reflect-metadata');
const cjsCore = require('@haltstate/core');
const { Controller, Get, Module, UseFilters } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { HaltStateExceptionFilter } = require('@haltstate/nestjs');

const thrown = {
  denied: () => new esmCore.ActionDenied({ action: 'payment.process', reason: 'Too large', policyId: 'limit' }),
  pending: () => new esmCore.ApprovalPending({ action: 'payment.process', approvalId: 'apr-1' }),
  other: () => new Error('not ours'),
};
// Plain JavaScript has no decorator syntax: Nest's decorators applied by hand.
class OutcomesController {}
for (const kind of Object.keys(thrown)) {
  OutcomesController.prototype[kind] = function () {
    throw thrown[kind]();
  };
  Get(kind)(OutcomesController.prototype, kind, Object.getOwnPropertyDescriptor(OutcomesController.prototype, kind));
}
Controller('outcomes')(OutcomesController);
UseFilters(HaltStateExceptionFilter)(OutcomesController);
class AppModule {}
Module({ controllers: [OutcomesController] })(AppModule);

const app = await NestFactory.create(AppModule, { logger: false });
await app.listen(0, '127.0.0.1');
const url = await app.getUrl();
const answers = {};
for (const kind of Object.keys(thrown)) {
  const response = await fetch(`${url}/outcomes/${kind}`);
  answers[kind] = { status: response.status, body: await response.json() };
}
await app.close();
console.log(JSON.stringify({ instanceOfOtherBuild: thrown.denied() instanceof cjsCore.ActionDenied, answers }));
