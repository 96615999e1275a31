// Schema migrations, applied in order; PRAGMA user_version records how many ran.
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE approvals (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    action TEXT NOT NULL,
    params TEXT NOT NULL,
    metadata TEXT,
    idempotency_key TEXT,
    policy_id TEXT,
    policy_reason TEXT,
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'expired')),
    approver TEXT,
    reason TEXT,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    decided_at TEXT
  );
  CREATE INDEX approvals_pending ON approvals (status, expires_at);
  CREATE INDEX approvals_decided ON approvals (tenant_id, decided_at);
  CREATE TABLE guards (
    tenant_id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    action TEXT NOT NULL,
    params TEXT NOT NULL,
    decision TEXT NOT NULL,
    policy_id TEXT,
    reason TEXT,
    approval_id TEXT REFERENCES approvals (id),
    created_at TEXT NOT NULL,
    last_state TEXT,
    permit_issued_at TEXT,
    outcome TEXT,
    error TEXT,
    reported_at TEXT,
    PRIMARY KEY (tenant_id, idempotency_key)
  );
  CREATE TABLE reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id TEXT NOT NULL,
    request_id TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    action TEXT NOT NULL,
    status TEXT NOT NULL,
    decision TEXT NOT NULL,
    policy_id TEXT,
    result TEXT,
    created_at TEXT NOT NULL
  );
  CREATE TABLE agents (
    tenant_id TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    status TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, agent_id)
  );
  CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    agent_id TEXT,
    action TEXT,
    decision TEXT,
    policy_id TEXT,
    approver TEXT,
    outcome TEXT,
    approval_id TEXT,
    idempotency_key TEXT,
    request_id TEXT,
    reason TEXT
  );
  CREATE INDEX audit_tenant ON audit (tenant_id, id);
  `,
  // A client retries a report whose answer it did not get: keep one per check (request id).
  `
  DELETE FROM reports WHERE id NOT IN (SELECT MIN(id) FROM reports GROUP BY tenant_id, request_id);
  CREATE UNIQUE INDEX reports_once ON reports (tenant_id, request_id);
  `,
  // One approval authorizes one execution: when a guard report used the key's approval up.
  `
  ALTER TABLE guards ADD COLUMN executed_at TEXT;
  `,
  // X-Request-Id on check: the first answer per (tenant, id), kept for a window, then pruned.
  `
  CREATE TABLE check_requests (
    tenant_id TEXT NOT NULL,
    request_id TEXT NOT NULL,
    body_digest TEXT NOT NULL,
    answer TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, request_id)
  );
  CREATE INDEX check_requests_age ON check_requests (created_at);
  `,
  // Issue 18: reports are verified against the server's own decisions (a check's request id),
  // pending approvals are capped per tenant and agent (counted by this index).
  // reports.verified: 1 verified, 0 the agent's unverified claim, NULL stored before verification.
  `
  ALTER TABLE reports ADD COLUMN verified INTEGER;
  CREATE INDEX audit_checks ON audit (tenant_id, request_id) WHERE kind = 'check';
  CREATE INDEX approvals_by_tenant_status ON approvals (tenant_id, status, agent_id);
  `,
  // The W3C trace id of the request that wrote an audit line (traceparent), when it sent one.
  `
  ALTER TABLE audit ADD COLUMN trace_id TEXT;
  `,
];
