// Every sample of the README and docs/mcp.md runs as written against the real local server with
// the example's policy (against the built packages): the host config's command and environment
// start the proxy (only the base URL points at this test's server, as in every docs test), and
// the guardMcpServer program is a server a host connects to.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { createLocalServer, loadPolicyFile, type LocalServer } from '@haltstate/local';
import { textOf } from './helpers/server';

// Each sample is a few Node processes: a bound on a hang, not on time.
jest.setTimeout(120_000);

const root = join(__dirname, '../../..');
const blocks = (file: string, lang: string) => [...readFileSync(join(root, file), 'utf8').matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((match) => match[1]!);

let server: LocalServer;
let dir: string;
beforeAll(async () => {
  server = await createLocalServer({ policy: loadPolicyFile(join(root, 'examples/mcp-proxy/policy.yaml')) });
  dir = mkdtempSync(join(__dirname, '../.samples-'));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Connects a host to `command args` (from the repo root), calls read_file and delete_file. */
async function readAndDelete(command: string, args: string[], env: Record<string, string>) {
  const host = new Client({ name: 'docs-host', version: '1.0.0' });
  await host.connect(new StdioClientTransport({ command, args, cwd: root, env: { PATH: process.env.PATH ?? '', ...env, HALTSTATE_BASE_URL: server.url }, stderr: 'ignore' }));
  try {
    const read = await host.callTool({ name: 'read_file', arguments: { path: '/notes/todo.txt' } });
    const deleted = await host.callTool({ name: 'delete_file', arguments: { path: '/notes/todo.txt' } });
    return { read, deleted };
  } finally {
    await host.close();
  }
}

it.each(['packages/mcp/README.md', 'docs/mcp.md'])('the host config of %s starts the proxy in front of the example server', async (file) => {
  const configs = blocks(file, 'json');
  expect(configs).toHaveLength(1);
  const { command, args, env } = JSON.parse(configs[0]!).mcpServers.files as { command: string; args: string[]; env: Record<string, string> };
  const { read, deleted } = await readAndDelete(command, args, env);
  expect(textOf(read)).toBe('ship the MCP gate');
  expect(deleted).toEqual({ isError: true, content: [{ type: 'text', text: 'not allowed: Deleting files is never automatic' }] });
});

it.each(['packages/mcp/README.md', 'docs/mcp.md'])('the guardMcpServer program of %s is a guarded server', async (file) => {
  const programs = blocks(file, 'js');
  expect(programs).toHaveLength(1);
  const program = join(dir, `${file.replace(/\W/g, '-')}.mjs`);
  writeFileSync(program, programs[0]!);
  const { read, deleted } = await readAndDelete(process.execPath, [program], {});
  expect(textOf(read)).toBe('contents of /notes/todo.txt');
  expect(deleted).toEqual({ isError: true, content: [{ type: 'text', text: 'not allowed: Deleting files is never automatic' }] });
});
