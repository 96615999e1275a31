#!/usr/bin/env node
'use strict';
const cli = require('../dist/cjs/cli/index.js');
const { version } = require('../package.json');
cli.main(process.argv.slice(2), { ...cli.defaultIo(), version }).then((code) => {
  if (code !== undefined) process.exitCode = code;
});
