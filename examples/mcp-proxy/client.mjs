// A scripted MCP host: it starts `haltstate-mcp proxy -- node server.mjs` as Claude Desktop or
// Cursor would, and calls the tools a model might. `node client.mjs` calls all three;
// `node client.mjs send` repeats only the email, once a human approved it in HaltState.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const bin = join(dirname(require.resolve('@haltstate/mcp/package.json')), require('@haltstate/mcp/package.json').bin['haltstate-mcp']);
const env = {
  ...process.env,
  HALTSTATE_BASE_URL: process.env.HALTSTATE_BASE_URL ?? 'http://127.0.0.1:8787',
  HALTSTATE_TENANT_ID: 'demo',
  HALTSTATE_API_KEY: 'hs_local_demo_key',
};

const transport = new StdioClientTransport({
  command: process.execPath,
  args: [bin, 'proxy', '--agent-id', 'desktop', '--', process.execPath, join(here, 'server.mjs')],
  env,
  stderr: 'inherit',
});
const host = new Client({ name: 'scripted-host', version: '1.0.0' });
await host.connect(transport);

const call = async (name, args) => {
  const result = await host.callTool({ name, arguments: args });
  console.log(`${result.isError ? '✋' : '✅'} ${name}: ${result.content.map((part) => part.text).join(' ')}`);
};

if (process.argv[2] !== 'send') {
  console.log(`tools: ${(await host.listTools()).tools.map((tool) => tool.name).join(', ')}`);
  await call('read_file', { path: '/notes/todo.txt' });
  await call('delete_file', { path: '/notes/todo.txt' });
}
await call('send_email', { to: 'team@example.com', subject: 'Release notes' });
await host.close();
