// Every sample of the README and docs/mcp.md runs as written against the real local server (and
// the built packages), the way a user runs it: the files the doc says to save (policy.yaml,
// server.mjs, guarded-server.mjs) are saved under those names in a project folder whose
// node_modules is the repo's, the host config's `/absolute/path/to/project` is that folder, and
// the host starts the proxy from a folder of its own (only the base URL points at this test's
// server, as in every docs test).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { createLocalServer, loadPolicyFile, type LocalServer } from '@haltstate/local';
import { textOf } from './helpers/server';

// Each sample is a few Node processes: a bound on a hang, not on time.
jest.setTimeout(120_000);

const root = join(__dirname, '../../..');
const PROJECT = '/absolute/path/to/project';

interface Block {
  lang: string;
  body: string;
  /** The file the text before the block says to save it as (`… as \`server.mjs\``), if any. */
  savedAs: string | undefined;
}

/** The fenced blocks of a doc, each with the name the doc tells the user to save it under. */
function blocksOf(file: string): Block[] {
  const text = readFileSync(join(root, file), 'utf8');
  const blocks: Block[] = [];
  let last = 0;
  for (const match of text.matchAll(/```(\w*)\n([\s\S]*?)```/g)) {
    const before = text.slice(last, match.index);
    const names = [...before.matchAll(/\bas `([\w.-]+\.(?:mjs|yaml))`/g)].map((name) => name[1]!);
    blocks.push({ lang: match[1]!, body: match[2]!, savedAs: names.at(-1) });
    last = match.index + match[0].length;
  }
  return blocks;
}

const saved = (file: string, name: string) => {
  const found = blocksOf(file).filter((block) => block.savedAs === name);
  expect(found).toHaveLength(1);
  return found[0]!.body;
};

let server: LocalServer;
let project: string;
let hostDir: string;
beforeAll(async () => {
  project = mkdtempSync(join(__dirname, '../.samples-'));
  symlinkSync(join(root, 'node_modules'), join(project, 'node_modules'), 'dir');
  for (const name of ['policy.yaml', 'server.mjs']) writeFileSync(join(project, name), saved('docs/mcp.md', name));
  hostDir = mkdtempSync(join(tmpdir(), 'haltstate-mcp-host-'));
  server = await createLocalServer({ policy: loadPolicyFile(join(project, 'policy.yaml')) });
});
afterAll(async () => {
  await server?.close();
  rmSync(project, { recursive: true, force: true });
  rmSync(hostDir, { recursive: true, force: true });
});

/** Connects a host (started in a folder of its own) to `command args`, calls read_file and delete_file. */
async function readAndDelete(command: string, args: string[], env: Record<string, string>) {
  const host = new Client({ name: 'docs-host', version: '1.0.0' });
  await host.connect(new StdioClientTransport({ command, args, cwd: hostDir, env: { PATH: process.env.PATH ?? '', ...env, HALTSTATE_BASE_URL: server.url }, stderr: 'ignore' }));
  try {
    const read = await host.callTool({ name: 'read_file', arguments: { path: '/notes/todo.txt' } });
    const deleted = await host.callTool({ name: 'delete_file', arguments: { path: '/notes/todo.txt' } });
    return { read, deleted };
  } finally {
    await host.close();
  }
}

it('the policy and server docs/mcp.md says to save are the ones of examples/mcp-proxy', () => {
  expect(loadPolicyFile(join(project, 'policy.yaml'))).toEqual(loadPolicyFile(join(root, 'examples/mcp-proxy/policy.yaml')));
  expect(readFileSync(join(project, 'server.mjs'), 'utf8')).toBe(readFileSync(join(root, 'examples/mcp-proxy/server.mjs'), 'utf8'));
});

it.each(['packages/mcp/README.md', 'docs/mcp.md'])('the host config of %s starts the proxy in front of the saved server', async (file) => {
  const configs = blocksOf(file).filter((block) => block.lang === 'json');
  expect(configs).toHaveLength(1);
  const { command, args, env } = JSON.parse(configs[0]!.body).mcpServers.files as { command: string; args: string[]; env: Record<string, string> };
  // `node` and the installed bin by absolute path: npx outside the project would ask the registry.
  expect(command).toBe('node');
  expect(args.every((arg) => !arg.includes('/') || arg.startsWith(`${PROJECT}/`))).toBe(true);
  const { read, deleted } = await readAndDelete(
    command,
    args.map((arg) => arg.replace(PROJECT, project)),
    env,
  );
  expect(textOf(read)).toBe('ship the MCP gate');
  expect(deleted).toEqual({ isError: true, content: [{ type: 'text', text: 'not allowed: Deleting files is never automatic' }] });
});

it.each(['packages/mcp/README.md', 'docs/mcp.md'])('the guardMcpServer program of %s, saved as guarded-server.mjs, is a guarded server', async (file) => {
  const folder = join(project, file.replace(/\W/g, '-'));
  mkdirSync(folder);
  const program = join(folder, 'guarded-server.mjs');
  writeFileSync(program, saved(file, 'guarded-server.mjs'));
  const { read, deleted } = await readAndDelete('node', [program], {});
  expect(textOf(read)).toBe('contents of /notes/todo.txt');
  expect(deleted).toEqual({ isError: true, content: [{ type: 'text', text: 'not allowed: Deleting files is never automatic' }] });
});

it('docs/mcp.md starts the local server with the installed CLI, never a registry lookup', () => {
  const shell = blocksOf('docs/mcp.md')
    .filter((block) => block.lang === 'bash')
    .map((block) => block.body)
    .join('\n');
  expect(shell).toContain('npm install --save-dev @haltstate/local');
  expect(shell).toContain('npx --no-install haltstate dev --policy policy.yaml');
  expect(shell).not.toMatch(/npx (?!--no-install)/);
});
