import type { AgentStatus } from '@haltstate/core';
import type { ApprovalView } from '../server/wire/responses.js';
import type { AuditEntry } from '../server/store/types.js';

export type { ApprovalView };

export interface AdminClientOptions {
  /** The local server's URL, e.g. `http://127.0.0.1:8787`. */
  url: string;
  /** Sent as `X-Tenant-Id`; without it, the server takes the key's own tenant. */
  tenantId?: string;
  /** The tenant's admin key, or its sign-in token while `haltstate dev` runs. */
  adminKey: string;
}

/** A failed admin call: the status and the server's detail (never the key). */
export class AdminError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'AdminError';
    this.status = status;
  }
}

/**
 * What a human does, from code: list, approve and reject approvals, set an agent's status, read
 * the audit trail. The CLI and the demo use it. It never follows a redirect (a 3xx is an
 * {@link AdminError} with that status), so the admin key only ever goes to `url`.
 *
 * @example
 * const admin = new AdminClient({ url: server.url, tenantId: 'acme', adminKey: 'hs_admin_acme' });
 * await admin.approve(approvalId, { approver: 'alice' });
 */
export class AdminClient {
  readonly #options: AdminClientOptions;

  constructor(options: AdminClientOptions) {
    this.#options = { ...options, url: options.url.replace(/\/+$/, '') };
  }

  /** The tenant the admin key belongs to (sends no `X-Tenant-Id`, so it answers for any valid key). */
  async whoami(): Promise<{ tenant_id: string }> {
    return this.#call('GET', '/local/whoami', undefined, false);
  }

  async approvals(status?: ApprovalView['status']): Promise<ApprovalView[]> {
    const body = await this.#call<{ approvals: ApprovalView[] }>('GET', `/local/approvals${status ? `?status=${status}` : ''}`);
    return body.approvals;
  }

  approve(id: string, decision: { approver: string; reason?: string }): Promise<ApprovalView> {
    return this.#call('POST', `/local/approvals/${encodeURIComponent(id)}/approve`, decision);
  }

  reject(id: string, decision: { approver: string; reason: string }): Promise<ApprovalView> {
    return this.#call('POST', `/local/approvals/${encodeURIComponent(id)}/reject`, decision);
  }

  setAgentStatus(agentId: string, status: AgentStatus): Promise<{ agent_id: string; status: AgentStatus }> {
    return this.#call('PUT', `/local/agents/${encodeURIComponent(agentId)}/status`, { status });
  }

  audit(): Promise<AuditEntry[]> {
    return this.#call('GET', '/local/audit');
  }

  async #call<T>(method: string, path: string, body?: unknown, sendTenant = true): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.#options.adminKey}` };
    if (sendTenant && this.#options.tenantId !== undefined) headers['x-tenant-id'] = this.#options.tenantId;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const send = () =>
      fetch(`${this.#options.url}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        // A redirect would re-send the admin key to wherever the Location points: never follow one.
        redirect: 'manual',
      });
    let response: Response;
    try {
      // A kept-alive socket to a server that restarted fails once; a read is safe to send again.
      response = await send().catch((error: unknown) => (method === 'GET' ? send() : Promise.reject(error)));
    } catch (error) {
      throw new AdminError(0, `Cannot reach the local server at ${this.#options.url} (${(error as Error).message}); is \`haltstate dev\` running?`);
    }
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      throw new AdminError(
        response.status,
        `${method} ${path} answered a ${response.status} redirect; redirects are not followed, so the admin key is never sent to another address: pass the server's own URL (--url / HALTSTATE_BASE_URL)`,
      );
    }
    const text = await response.text();
    if (!response.ok) {
      let detail = text;
      try {
        detail = (JSON.parse(text) as { detail?: string }).detail ?? text;
      } catch {
        // keep the text
      }
      throw new AdminError(response.status, `${method} ${path} failed (${response.status}): ${detail.split(this.#options.adminKey).join('[REDACTED]')}`);
    }
    return JSON.parse(text) as T;
  }
}
