// Run by test/without-tsyringe.test.ts in a folder where tsyringe is not installed (ESM: the
// ESM builds of @haltstate/nestjs and @haltstate/decorators).
import 'reflect-metadata';
import { createRequire } from 'node:module';
import nest from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import * as haltstate from '@haltstate/nestjs';
import { registerHaltState } from '@haltstate/decorators';

const require = createRequire(import.meta.url);
const defineApp = require('./define-app.cjs');
const runApp = require('./run-app.cjs');

const options = { baseUrl: process.env.HS_URL, tenantId: process.env.HS_TENANT, apiKey: process.env.HS_KEY, agentId: 'nest-bot', retries: 0 };
const loaded = () => Object.keys(require.cache).some((file) => /[\\/]tsyringe[\\/]/.test(file));
console.log(JSON.stringify(await runApp({ NestFactory, AppModule: defineApp(nest, haltstate, options), registerHaltState, loaded })));
