// The `haltstate-mcp` CLI (bin/haltstate-mcp.cjs loads the build of this file). stdout is the MCP protocol: anything a dependency logs with
// console.log would corrupt it, so console.log writes to stderr here.
import { runProxy } from './run-proxy.js';

console.log = console.error;
runProxy(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`haltstate-mcp: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
