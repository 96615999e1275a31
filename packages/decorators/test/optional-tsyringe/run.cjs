// CommonJS: the CommonJS builds of core and the decorators.
require('reflect-metadata');
const steps = require('./steps.cjs');

const loaded = () => Object.keys(require.cache).some((file) => /[\\/]tsyringe[\\/]/.test(file));
steps({ core: require('@haltstate/core'), decorators: require('@haltstate/decorators'), loaded }).then((result) => console.log(JSON.stringify(result)));
