import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema, ToolListChangedNotificationSchema, type CallToolResult, type ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { HaltStateValidationError, isHaltStateClient, type HaltStateClient, type HaltStateMode } from '@haltstate/core';
import { errorResult, guardCall, type ToolCall } from './guard-call.js';
import { pendingText } from './not-run-text.js';
import { DEFAULT_ELICITATION_WAIT_MS, MAX_WAIT_MS } from './wait-limits.js';
import { actionNamer, argumentsAsParams, toolMetadata, type ActionOption } from './tool-action.js';


/**
 * Options of {@link createMcpProxy}.
 *
 * @example
 * createMcpProxy({ client, upstream, agentId: 'desktop', action: 'mcp.files', waitMs: 30_000 });
 */
export interface McpProxyOptions {
  client: HaltStateClient;
  /** A connected MCP client of the upstream server. */
  upstream: Client;
  /** @default the client's agentId */
  agentId?: string | undefined;
  /** A prefix or a function of (tool, annotations). @default `mcp.<upstream server name>.<tool>` */
  action?: ActionOption | undefined;
  /**
   * How long a pending call waits for HaltState's decision (over SSE) before it answers
   * "pending"; at most {@link MAX_WAIT_MS}. @unit milliseconds
   * @default 50_000 when the host supports URL elicitation and `approvalUrl` is set, else 0
   */
  waitMs?: number | undefined;
  /** Where a human decides: shown in the pending text and, where the host supports it, as a URL elicitation. */
  approvalUrl?: ((approvalId: string) => string) | undefined;
  mode?: HaltStateMode | undefined;
  /** One line of the proxy's own log (never protocol). @default none */
  log?: ((line: string) => void) | undefined;
}

/**
 * A host-facing MCP `Server` in front of an upstream server: it forwards the upstream's name,
 * instructions, `tools/list` and `notifications/tools/list_changed`, and guards every
 * `tools/call` with HaltState (a tool it never listed is asked about like any other). Connect
 * it to the host's transport; the CLI `haltstate-mcp proxy` does that over stdio.
 *
 * @example
 * const upstream = new Client({ name: 'haltstate-mcp', version: '0.1.0' });
 * await upstream.connect(new StdioClientTransport({ command: 'node', args: ['server.mjs'] }));
 * await createMcpProxy({ client, upstream }).connect(new StdioServerTransport());
 */
export function createMcpProxy(options: McpProxyOptions): Server {
  if (!options || !isHaltStateClient(options.client)) throw new HaltStateValidationError('createMcpProxy needs { client }: a HaltStateClient', { path: 'client' });
  const { client, upstream } = options;
  const waitMs = options.waitMs;
  if (waitMs !== undefined && (!Number.isInteger(waitMs) || waitMs < 0 || waitMs > MAX_WAIT_MS)) {
    throw new HaltStateValidationError(`waitMs must be a whole number of milliseconds from 0 to ${MAX_WAIT_MS} (MCP hosts time a request out at 60 s), got ${String(waitMs)}`, { path: 'waitMs' });
  }
  const info = upstream.getServerVersion();
  if (!info) throw new HaltStateValidationError('createMcpProxy needs a connected upstream client (connect it first)', { path: 'upstream' });
  const serverName = info.name;
  const actionOf = actionNamer(options.action, serverName);
  const agentId = options.agentId ?? client.agentId;
  const log = options.log ?? (() => {});
  const listed = new Map<string, ToolAnnotations>();
  let upstreamGone: string | undefined;

  const server = new Server(
    { name: info.name, version: info.version, ...(info.title ? { title: info.title } : {}) },
    { capabilities: { tools: { listChanged: true } }, ...(upstream.getInstructions() ? { instructions: upstream.getInstructions() } : {}) },
  );

  let hostGone = false;
  server.onclose = () => {
    hostGone = true;
  };
  upstream.onclose = () => {
    if (hostGone) return;
    upstreamGone = `the upstream MCP server "${serverName}" closed its connection (it exited or crashed)`;
    log(`${upstreamGone}; tool calls now answer an error`);
  };
  upstream.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
    await server.sendToolListChanged().catch((error: unknown) => log(`could not forward tools/list_changed: ${String(error)}`));
  });

  server.setRequestHandler(ListToolsRequestSchema, async (request, extra) => {
    if (upstreamGone) throw new Error(`${upstreamGone}; restart it`);
    const result = await upstream.listTools(request.params, { signal: extra.signal });
    for (const tool of result.tools) listed.set(tool.name, tool.annotations ?? {});
    return result;
  });

  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const { name, arguments: args } = request.params;
    // Nothing can run: say so without asking HaltState, so no approval is used up for nothing.
    if (upstreamGone) return errorResult(`${upstreamGone}; the tool did not run. Restart the MCP server.`);
    const annotations = listed.get(name);
    const action = actionOf(name, annotations ?? {});
    const urlElicitation = Boolean(server.getClientCapabilities()?.elicitation?.url) && options.approvalUrl !== undefined;
    const wait = waitMs ?? (urlElicitation ? DEFAULT_ELICITATION_WAIT_MS : 0);
    const declined = new AbortController();
    const elicitation = new AbortController();
    let pending: { approvalId: string; url: string | undefined } | undefined;
    // Every pending answer is logged (with or without a wait): the host's log is where a user
    // looks for the approval to decide. Only the action and the approval id, never the arguments.
    const logPending = (approvalId: string) => log(`"${action}" is pending: approval ${approvalId}; the tool did not run (decide in HaltState, then repeat the call)`);

    const call: ToolCall = {
      client,
      tool: name,
      action,
      agentId,
      params: argumentsAsParams(args),
      metadata: toolMetadata(serverName, name, annotations, { listed: annotations !== undefined }),
      mode: options.mode,
      signal: AbortSignal.any([extra.signal, declined.signal]),
      approvalUrl: options.approvalUrl,
      onPending: logPending,
      ...(wait > 0
        ? {
            wait: {
              timeoutMs: wait,
              onApprovalRequested: ({ approvalId, url }) => {
                pending = { approvalId, url };
                log(`"${action}" waits for a human: approval ${approvalId}${url ? ` (${url})` : ''}`);
                if (urlElicitation && url) showApprovalPage(approvalId, url);
              },
            },
          }
        : {}),
    };

    // The page is shown, never asked: whatever the user answers here, only HaltState's decision
    // lets the tool run. A decline just stops waiting (the call answers "pending").
    const showApprovalPage = (approvalId: string, url: string) => {
      const message = `"${name}" needs a human's approval in HaltState before it runs. Open the approval page to decide.`;
      server
        .elicitInput({ mode: 'url', message, url, elicitationId: approvalId }, { signal: elicitation.signal, timeout: wait })
        .then((answer) => {
          if (answer.action !== 'accept') declined.abort();
        })
        .catch(() => {});
    };

    let ran = false;
    try {
      const result = await guardCall(call, async () => {
        ran = true;
        try {
          return (await upstream.callTool({ name, arguments: args }, undefined, { signal: extra.signal })) as CallToolResult;
        } catch (error) {
          const why = upstreamGone ?? (error instanceof Error ? error.message : String(error));
          return errorResult(`the upstream MCP server failed during "${name}": ${why}. The tool may have been partly run.`);
        }
      });
      // The user declined to open the page, which ended the wait: the call is still pending in HaltState.
      if (!ran && pending && declined.signal.aborted) {
        logPending(pending.approvalId);
        return errorResult(pendingText(action, pending.approvalId, pending.url));
      }
      return result;
    } finally {
      if (pending && urlElicitation) {
        elicitation.abort();
        await server
          .createElicitationCompletionNotifier(pending.approvalId)()
          .catch(() => {});
      }
    }
  });

  return server;
}
