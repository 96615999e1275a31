import { z } from 'zod';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { HaltStateClient } from '@haltstate/core';
import { guardMcpServer } from '@haltstate/mcp';

const client = new HaltStateClient({ baseUrl: process.env.HALTSTATE_BASE_URL ?? 'http://127.0.0.1:8787', tenantId: 'demo', apiKey: 'hs_local_demo_key', agentId: 'desktop' });
const server = new McpServer({ name: 'files', version: '1.0.0' });
server.registerTool('read_file', { inputSchema: { path: z.string() }, annotations: { readOnlyHint: true } }, async ({ path }) => ({ content: [{ type: 'text', text: `contents of ${path}` }] }));
guardMcpServer(server, { client });   // actions: mcp.files.<tool>
server.registerTool('delete_file', { inputSchema: { path: z.string() }, annotations: { destructiveHint: true } }, async ({ path }) => ({ content: [{ type: 'text', text: `deleted ${path}` }] }));
await server.connect(new StdioServerTransport());
