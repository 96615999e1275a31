import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { ClientCapabilities, JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

const repo = join(__dirname, '../../../..');

/**
 * The proxy's bin and the upstream fixture, each bundled from source into one CommonJS file
 * (esbuild, in a temporary folder): the test runs the bin as a real process without a prior
 * `npm run build`, and what it runs is this checkout's source, core's included.
 */
export function bundleBins(): { bin: string; upstream: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'haltstate-mcp-'));
  const common = { bundle: true, platform: 'node' as const, target: 'node20', logLevel: 'error' as const, alias: { '@haltstate/core': join(repo, 'packages/core/src/index.ts') } };
  buildSync({ ...common, entryPoints: [join(repo, 'packages/mcp/src/cli/bin.ts')], format: 'cjs', outfile: join(dir, 'bin.cjs') });
  buildSync({ ...common, entryPoints: [join(__dirname, '../fixtures/upstream.ts')], format: 'esm', outfile: join(dir, 'upstream.mjs'), banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" } });
  return { bin: join(dir, 'bin.cjs'), upstream: join(dir, 'upstream.mjs'), dir };
}

/**
 * A host's transport to a spawned proxy that keeps every raw line of its stdout, so a test can
 * check that each one is a JSON-RPC message (the SDK's own stdio transport would only complain).
 */
class RecordingTransport implements Transport {
  readonly lines: string[] = [];
  readonly #buffer = new ReadBuffer();
  #partial = '';
  onmessage?: (message: JSONRPCMessage) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  constructor(readonly child: ChildProcessWithoutNullStreams) {}

  async start(): Promise<void> {
    this.child.stdout.on('data', (chunk: Buffer) => {
      const text = this.#partial + chunk.toString('utf8');
      const parts = text.split('\n');
      this.#partial = parts.pop()!;
      this.lines.push(...parts);
      this.#buffer.append(chunk);
      for (let message = this.#buffer.readMessage(); message; message = this.#buffer.readMessage()) this.onmessage?.(message);
    });
    this.child.on('close', () => this.onclose?.());
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.child.stdin.writable) this.child.stdin.write(serializeMessage(message));
  }

  async close(): Promise<void> {
    this.child.stdin.end();
  }
}

export interface RunningProxy {
  host: Client;
  child: ChildProcessWithoutNullStreams;
  /** Every line the proxy wrote to stdout. */
  stdoutLines: () => string[];
  stderr: () => string;
  /** Resolves with everything written to stderr once it contains `text` (rejects if the proxy exits first). */
  stderrContaining: (text: string) => Promise<string>;
  /** What the upstream ran, one line each (its first line says which HALTSTATE_* variables it saw). */
  upstreamLog: () => string[];
  /** Closes the host's side (stdin) and resolves with the proxy's exit code. */
  close: () => Promise<number | null>;
}

/** How {@link startProxy} starts the proxy and its host. */
export interface StartOptions {
  args?: string[];
  capabilities?: ClientCapabilities;
  name?: string;
  setup?: (host: Client) => void;
}

/** Spawns `haltstate-mcp proxy [args] -- node upstream.mjs` and connects a host `Client` to it. */
export async function startProxy(
  bins: { bin: string; upstream: string; dir: string },
  env: Record<string, string>,
  options: StartOptions = {},
): Promise<RunningProxy> {
  const upstreamLog = join(bins.dir, `${options.name ?? 'upstream'}-${Math.random().toString(36).slice(2)}.log`);
  const child = spawn(process.execPath, [bins.bin, 'proxy', ...(options.args ?? []), '--', process.execPath, bins.upstream], {
    env: { PATH: process.env.PATH ?? '', ...env, UPSTREAM_LOG: upstreamLog },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // Stdout and stderr are two pipes: a line logged before an answer may arrive after it, so a
  // test waits for the line (an event), never a while.
  const stderrContaining = (text: string) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        if (!stderr.includes(text)) return;
        child.stderr.off('data', check);
        resolve(stderr);
      };
      child.stderr.on('data', check);
      child.once('exit', () => reject(new Error(`the proxy exited before its stderr said ${JSON.stringify(text)}:\n${stderr}`)));
      check();
    });
  const transport = new RecordingTransport(child);
  const host = new Client({ name: 'test-host', version: '1.0.0' }, { capabilities: options.capabilities ?? {} });
  options.setup?.(host);
  await host.connect(transport);
  return {
    host,
    child,
    stdoutLines: () => transport.lines.filter((line) => line.length > 0),
    stderr: () => stderr,
    stderrContaining,
    upstreamLog: () => readFileSync(upstreamLog, 'utf8').split('\n').filter(Boolean),
    close: async () => {
      child.stdin.end();
      return exited;
    },
  };
}

/** Runs the bin with `args` and no host; resolves with its exit code and output. */
export function runBin(bin: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end();
  });
}
