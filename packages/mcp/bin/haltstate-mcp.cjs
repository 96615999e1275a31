#!/usr/bin/env node
'use strict';
// The `haltstate-mcp` bin: a committed file (so npm links it before the first build) that runs the built CLI.
require('../dist/cjs/cli/bin.js');
