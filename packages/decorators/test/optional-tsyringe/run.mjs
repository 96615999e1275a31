// ESM: the ESM builds of core and the decorators.
import 'reflect-metadata';
import { createRequire } from 'node:module';
import * as core from '@haltstate/core';
import * as decorators from '@haltstate/decorators';

const require = createRequire(import.meta.url);
const steps = require('./steps.cjs');
const loaded = () => Object.keys(require.cache).some((file) => /[\\/]tsyringe[\\/]/.test(file));
console.log(JSON.stringify(await steps({ core, decorators, loaded })));
