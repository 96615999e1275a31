import type { AgentStatus } from '@haltstate/core';
import type { ApprovalView as ApprovalRowView } from '../server/wire/responses.js';
import type { AuditEntry } from '../server/store/types.js';

/** An approval as the admin routes answer it; `rule_fields` names the params its rule looks at (from the current policy). */
export type ApprovalView = ApprovalRowView & { rule_fields: string[] };

/** One page of a list route; `next_cursor` is null on the last page. */
export interface AdminPage<T> {
  items: T[];
  next_cursor: string | null;
}

/** Which page: `limit` (the server's maxPageSize at most) and the previous page's `next_cursor`. */
export interface PageOptions {
  limit?: number;
  cursor?: string;
}

const query = (entries: Record<string, string | number | undefined>) => {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(entries)) if (value !== undefined) search.set(name, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
};

export interface AdminClientOptions {
  /** The local server's URL, e.g. `http://127.0.0.1:8787`. */
  url: string;
  /** Sent as `X-Tenant-Id`; without it, the server takes the key's own tenant. */
  tenantId?: string;
  /**
   * The tenant's admin key, its sign-in token while `haltstate dev` runs, or an approver's own
   * key (then decisions are recorded under that approver, and `approver` may be omitted).
   */
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
  async whoami(): Promise<{ tenant_id: string; approver_id?: string }> {
    return this.#call('GET', '/local/whoami', undefined, false);
  }

  /** Every approval (with the status, if given), oldest first: follows the pages to the end. */
  async approvals(status?: ApprovalView['status']): Promise<ApprovalView[]> {
    const all: ApprovalView[] = [];
    for await (const page of this.approvalPages(status)) all.push(...page);
    return all;
  }

  /** One page of approvals. */
  async approvalsPage(status?: ApprovalView['status'], page: PageOptions = {}): Promise<AdminPage<ApprovalView>> {
    const body = await this.#call<{ approvals: ApprovalView[]; next_cursor: string | null }>('GET', `/local/approvals${query({ status, limit: page.limit, cursor: page.cursor })}`);
    return { items: body.approvals, next_cursor: body.next_cursor };
  }

  /** The approvals page by page, as the server hands them out. */
  async *approvalPages(status?: ApprovalView['status'], page: PageOptions = {}): AsyncGenerator<ApprovalView[]> {
    for (let cursor = page.cursor; ; ) {
      const next = await this.approvalsPage(status, { ...page, ...(cursor === undefined ? {} : { cursor }) });
      yield next.items;
      if (next.next_cursor === null) return;
      cursor = next.next_cursor;
    }
  }

  /** A new sign-in link to the approvals page for the key's tenant: its one-time code works once. */
  async signInLink(): Promise<string> {
    const { code } = await this.#call<{ code: string }>('POST', '/local/sign-in-codes');
    return `${this.#options.url}/#code=${encodeURIComponent(code)}`;
  }

  /** `approver` names who decides with the admin key; with an approver's own key, omit it. */
  approve(id: string, decision: { approver?: string; reason?: string }): Promise<ApprovalView> {
    return this.#call('POST', `/local/approvals/${encodeURIComponent(id)}/approve`, decision);
  }

  /** `approver` names who decides with the admin key; with an approver's own key, omit it. */
  reject(id: string, decision: { approver?: string; reason: string }): Promise<ApprovalView> {
    return this.#call('POST', `/local/approvals/${encodeURIComponent(id)}/reject`, decision);
  }

  setAgentStatus(agentId: string, status: AgentStatus): Promise<{ agent_id: string; status: AgentStatus }> {
    return this.#call('PUT', `/local/agents/${encodeURIComponent(agentId)}/status`, { status });
  }

  /** The whole audit trail, oldest first: follows the pages to the end. */
  async audit(): Promise<AuditEntry[]> {
    const all: AuditEntry[] = [];
    for await (const page of this.auditPages()) all.push(...page);
    return all;
  }

  /** One page of the audit trail. */
  async auditPage(page: PageOptions = {}): Promise<AdminPage<AuditEntry>> {
    const headers = new Headers();
    const entries = await this.#call<AuditEntry[]>('GET', `/local/audit${query({ limit: page.limit, cursor: page.cursor })}`, undefined, true, headers);
    return { items: entries, next_cursor: headers.get('x-next-cursor') };
  }

  /** The audit trail page by page, so a long one is printed as it comes. */
  async *auditPages(page: PageOptions = {}): AsyncGenerator<AuditEntry[]> {
    for (let cursor = page.cursor; ; ) {
      const next = await this.auditPage({ ...page, ...(cursor === undefined ? {} : { cursor }) });
      yield next.items;
      if (next.next_cursor === null) return;
      cursor = next.next_cursor;
    }
  }

  /** One admin call; `answerHeaders`, when given, receives the response's headers. */
  async #call<T>(method: string, path: string, body?: unknown, sendTenant = true, answerHeaders?: Headers): Promise<T> {
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
    response.headers.forEach((value, name) => answerHeaders?.set(name, value));
    return JSON.parse(text) as T;
  }
}
