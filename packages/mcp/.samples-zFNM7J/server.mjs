// A small MCP server over stdio, knowing nothing of HaltState: the proxy in front of it does.
// stdout is the protocol, so what it says goes to stderr.
import { z } from 'zod';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';

const files = new Map([['/notes/todo.txt', 'ship the MCP gate']]);
const text = (value) => ({ content: [{ type: 'text', text: value }] });
const server = new McpServer({ name: 'files', version: '1.0.0' });

server.registerTool('read_file', { description: 'Read a file', inputSchema: { path: z.string() }, annotations: { readOnlyHint: true } }, async ({ path }) =>
  files.has(path) ? text(files.get(path)) : { isError: true, content: [{ type: 'text', text: `no such file: ${path}` }] },
);
server.registerTool('delete_file', { description: 'Delete a file', inputSchema: { path: z.string() }, annotations: { destructiveHint: true } }, async ({ path }) => {
  files.delete(path);
  return text(`deleted ${path}`);
});
server.registerTool('send_email', { description: 'Send an email', inputSchema: { to: z.string(), subject: z.string() }, annotations: { openWorldHint: true } }, async ({ to, subject }) => {
  console.error(`[server] sending "${subject}" to ${to}`);
  return text(`sent "${subject}" to ${to}`);
});

await server.connect(new StdioServerTransport());
