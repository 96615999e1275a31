import type { McpServer, RegisteredTool } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { CallToolResult, ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import { HaltStateValidationError, isHaltStateClient, type HaltStateClient, type HaltStateMode, type WaitOptions } from '@haltstate/core';
import { guardCall } from './guard-call.js';
import { MAX_WAIT_MS } from './wait-limits.js';
import { actionNamer, argumentsAsParams, toolMetadata, type ActionOption } from './tool-action.js';

/**
 * Options of {@link guardMcpServer}.
 *
 * @example
 * guardMcpServer(server, { client, agentId: 'files-bot', action: 'mcp.files' });
 */
export interface GuardMcpServerOptions {
  client: HaltStateClient;
  /** @default the client's agentId */
  agentId?: string | undefined;
  /** A prefix or a function of (tool, annotations). @default `mcp.<server name>.<tool>` */
  action?: ActionOption | undefined;
  /** The server's name in actions and metadata. @default the name the McpServer was created with */
  serverName?: string | undefined;
  /** `'shadow'` runs every tool whatever HaltState says, and records it. @default the client's mode */
  mode?: HaltStateMode | undefined;
  /**
   * Hold a pending call until a human decides in HaltState. `true` waits up to 55 s, under the
   * host's 60 s request timeout; a `timeoutMs` of your own is used as given. Without it a
   * pending call answers at once.
   */
  wait?: boolean | WaitOptions | undefined;
  /** Where a human decides, named in the pending text. */
  approvalUrl?: ((approvalId: string) => string) | undefined;
}

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;
type Callback = (...args: unknown[]) => CallToolResult | Promise<CallToolResult>;
type Update = RegisteredTool['update'];

const GUARDED = Symbol.for('haltstate.mcp.guarded');

/** The SDK's tool map and server info: TypeScript-private fields of McpServer 1.x, read here only. */
interface McpServerInternals {
  _registeredTools?: Record<string, RegisteredTool>;
  server?: { _serverInfo?: { name?: unknown } };
}

/**
 * Puts every tool of an `McpServer` behind HaltState — the tools registered already and every
 * tool registered later (`registerTool`, `tool`, and a later `update({ callback })`). Each call
 * runs through core's guard flow: allowed → the tool runs and its outcome is reported; denied,
 * pending, killed or unreachable → an `isError` result the model reads, and the tool never ran.
 * The idempotency key is the tool's name and canonical arguments, so the same call repeated
 * after a human approved runs, once. Returns the same server.
 *
 * @example
 * const server = new McpServer({ name: 'files', version: '1.0.0' });
 * server.registerTool('delete', { inputSchema: { path: z.string() }, annotations: { destructiveHint: true } }, async ({ path }) => remove(path));
 * guardMcpServer(server, { client, agentId: 'files-bot' });   // action: mcp.files.delete
 */
export function guardMcpServer<S extends McpServer>(server: S, options: GuardMcpServerOptions): S {
  if (!options || !isHaltStateClient(options.client)) throw new HaltStateValidationError('guardMcpServer needs { client }: a HaltStateClient', { path: 'client' });
  const internals = server as unknown as McpServerInternals & Record<symbol, unknown>;
  const tools = internals._registeredTools;
  if (typeof tools !== 'object' || tools === null) {
    throw new HaltStateValidationError('guardMcpServer needs an McpServer of @modelcontextprotocol/sdk ~1.32 (its registered tools were not found)', { path: 'server' });
  }
  if (internals[GUARDED]) throw new HaltStateValidationError('guardMcpServer: this server is already guarded', { path: 'server' });
  const declaredName = internals.server?._serverInfo?.name;
  const serverName = options.serverName ?? (typeof declaredName === 'string' ? declaredName : undefined);
  if (!serverName) throw new HaltStateValidationError('guardMcpServer could not read the server name: pass { serverName }', { path: 'serverName' });
  const { client } = options;
  const agentId = options.agentId ?? client.agentId;
  const actionOf = actionNamer(options.action, serverName);
  const wait = options.wait === true ? { timeoutMs: MAX_WAIT_MS } : options.wait || undefined;

  const guardTool = (initialName: string, tool: RegisteredTool): RegisteredTool => {
    let name = initialName;
    const wrap = (callback: unknown): Callback => {
      if (typeof callback !== 'function') {
        // Task-based tools (experimental) answer through a task store this gate cannot hold: refused, never left open.
        throw new HaltStateValidationError(`guardMcpServer: tool "${name}" is not a plain callback tool (task-based tools are not supported); it cannot be guarded`, { path: name });
      }
      const run = callback as Callback;
      return (...args: unknown[]) => {
        // The SDK calls (args, extra) when the tool has an input schema, (extra) when it has none.
        const [toolArgs, extra] = tool.inputSchema ? [args[0], args[1] as Extra | undefined] : [undefined, args[0] as Extra | undefined];
        const annotations = tool.annotations ?? {};
        return guardCall(
          {
            client,
            tool: name,
            action: actionOf(name, annotations),
            agentId,
            params: argumentsAsParams(toolArgs),
            metadata: toolMetadata(serverName, name, annotations),
            mode: options.mode,
            wait,
            signal: extra?.signal,
            approvalUrl: options.approvalUrl,
          },
          async () => run(...args),
        );
      };
    };
    const update: Update = tool.update.bind(tool);
    update({ callback: wrap(tool.handler) as never });
    // A later update({ callback }) would put an unguarded callback in place: it is wrapped too.
    tool.update = ((updates: Parameters<Update>[0]) => {
      const next = updates.callback === undefined ? updates : { ...updates, callback: wrap(updates.callback) as never };
      update(next);
      if (typeof updates.name === 'string') name = updates.name;
    }) as Update;
    return tool;
  };

  const entries = Object.entries(tools);
  // Refuse before changing anything: a half-guarded server is worse than none.
  for (const [name, tool] of entries) {
    if (typeof tool.handler !== 'function') throw new HaltStateValidationError(`guardMcpServer: tool "${name}" is task-based (experimental); task-based tools are not supported and cannot be guarded`, { path: name });
  }
  for (const [name, tool] of entries) guardTool(name, tool);

  const registerTool = server.registerTool.bind(server);
  server.registerTool = ((name: string, ...rest: unknown[]) => guardTool(name, (registerTool as (...args: unknown[]) => RegisteredTool)(name, ...rest))) as typeof server.registerTool;
  const legacyTool = server.tool.bind(server);
  server.tool = ((name: string, ...rest: unknown[]) => guardTool(name, (legacyTool as (...args: unknown[]) => RegisteredTool)(name, ...rest))) as typeof server.tool;
  const tasks = server.experimental.tasks as { registerToolTask: unknown };
  tasks.registerToolTask = () => {
    throw new HaltStateValidationError('guardMcpServer: task-based tools (experimental.tasks.registerToolTask) are not supported; register a plain tool', { path: 'registerToolTask' });
  };
  Object.defineProperty(server, GUARDED, { value: true });
  return server;
}
