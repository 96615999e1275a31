import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { HaltStateClient, isHaltStateError, resolveOptions, SDK_VERSION, type ClientOptions } from '@haltstate/core';
import { createMcpProxy } from '../proxy.js';
import { parseProxyArgs, USAGE, UsageError } from './args.js';

/**
 * Where the CLI reads and writes: the process's own streams, or a test's.
 *
 * @example
 * await runProxy(['proxy', '--', 'node', 'server.mjs'], { stdin, stdout, stderr: process.stderr, env: process.env });
 */
export interface CliIo {
  stdin: NodeJS.ReadableStream & { on(event: 'end' | 'close', listener: () => void): unknown };
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

/** The upstream's environment: the proxy's own, without a single HALTSTATE_* variable (the API key stays here). */
function upstreamEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && !entry[0].startsWith('HALTSTATE_')));
}

/**
 * `haltstate-mcp proxy [options] -- <command> [args…]`: resolves with the exit code once the
 * host closed stdin (0), or at once for bad input (2) or an upstream that would not start (1).
 * stdout carries the protocol only; every line of the proxy's own goes to stderr.
 *
 * @example
 * process.exitCode = await runProxy(process.argv.slice(2));
 */
export async function runProxy(argv: readonly string[], io: CliIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
  const log = (line: string) => void io.stderr.write(`haltstate-mcp: ${line}\n`);
  let parsed;
  try {
    parsed = parseProxyArgs(argv, io.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`haltstate-mcp: ${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (parsed === 'help') {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }

  const options: ClientOptions = { agentId: parsed.agentId, approvalUrl: parsed.approvalUrl };
  let client: HaltStateClient;
  let approvalUrl: ((approvalId: string) => string) | undefined;
  try {
    // The client's own validation: names the missing variable or the bad value, never a key.
    approvalUrl = resolveOptions(options).approvalUrl;
    client = new HaltStateClient(options);
  } catch (error) {
    if (!isHaltStateError(error, 'HALTSTATE_VALIDATION')) throw error;
    io.stderr.write(`haltstate-mcp: ${error.message}\nSet HALTSTATE_TENANT_ID and HALTSTATE_API_KEY (and HALTSTATE_BASE_URL) in the environment the host starts the proxy with.\n`);
    return 2;
  }

  const what = [parsed.command, ...parsed.args].join(' ');
  const upstream = new Client({ name: 'haltstate-mcp', version: SDK_VERSION });
  const transport = new StdioClientTransport({ command: parsed.command, args: parsed.args, env: upstreamEnv(io.env), stderr: 'inherit' });
  try {
    await upstream.connect(transport);
  } catch (error) {
    log(`could not start the upstream MCP server "${what}": ${error instanceof Error ? error.message : String(error)}`);
    await transport.close().catch(() => {});
    await client.close({ timeoutMs: 1_000 });
    return 1;
  }

  const proxy = createMcpProxy({ client, upstream, agentId: parsed.agentId, action: parsed.actionPrefix, waitMs: parsed.waitMs, approvalUrl, log });
  client.startKillSwitch({ intervalMs: parsed.heartbeatMs, onError: (error) => log(`kill switch poll failed: ${String(error)}`) }).then(
    (status) => status !== 'OK' && log(`the kill switch says ${status}: tool calls will not run`),
    (error: unknown) => log(`kill switch: the first heartbeat failed (${String(error)}); guarded calls still ask HaltState each time`),
  );

  const closed = new Promise<void>((resolve) => {
    io.stdin.on('end', resolve);
    io.stdin.on('close', resolve);
  });
  await proxy.connect(new StdioServerTransport(io.stdin as NodeJS.ReadStream & typeof process.stdin, io.stdout as NodeJS.WriteStream & typeof process.stdout));
  log(`guarding "${upstream.getServerVersion()?.name}" (${what}) for agent "${parsed.agentId ?? client.agentId}"`);
  await closed;

  // The host is gone: stop the upstream, deliver the reports, exit.
  await proxy.close().catch(() => {});
  await upstream.close().catch(() => {});
  const flushed = await client.close({ timeoutMs: 5_000 });
  if (flushed.failed.length) log(`${flushed.failed.length} report(s) were not delivered`);
  return 0;
}
