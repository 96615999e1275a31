// Run by test/without-tsyringe.test.ts in a folder where tsyringe is not installed (CommonJS).
require('reflect-metadata');
const nest = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const haltstate = require('@haltstate/nestjs');
const { registerHaltState } = require('@haltstate/decorators');
const defineApp = require('./define-app.cjs');
const runApp = require('./run-app.cjs');

const options = { baseUrl: process.env.HS_URL, tenantId: process.env.HS_TENANT, apiKey: process.env.HS_KEY, agentId: 'nest-bot', retries: 0 };
const loaded = () => Object.keys(require.cache).some((file) => /[\\/]tsyringe[\\/]/.test(file));
runApp({ NestFactory, AppModule: defineApp(nest, haltstate, options), registerHaltState, loaded }).then((result) => console.log(JSON.stringify(result)));
