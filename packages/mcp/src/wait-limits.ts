/**
 * The longest an MCP call waits for a human: under the 60 s request timeout of MCP hosts (the
 * SDK's default), so a waiting call answers before the host gives up on it. @unit milliseconds
 *
 * @example
 * guardMcpServer(server, { client, wait: { timeoutMs: MAX_WAIT_MS } });
 */
export const MAX_WAIT_MS = 55_000;

/**
 * How long the proxy waits when the host can show the approval page (URL elicitation) and no
 * `--wait-ms` was given. @unit milliseconds
 *
 * @example
 * createMcpProxy({ client, upstream, waitMs: DEFAULT_ELICITATION_WAIT_MS });
 */
export const DEFAULT_ELICITATION_WAIT_MS = 50_000;
