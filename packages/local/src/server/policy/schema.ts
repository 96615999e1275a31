import { createHash } from 'node:crypto';
import { z } from 'zod';
import * as schemas from '@haltstate/core/schemas';
import { patternError } from './pattern.js';

/** Condition operators a `when` entry may use. */
export const OPERATORS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'notIn', 'matches', 'exists'] as const;
export type Operator = (typeof OPERATORS)[number];

const operatorObject = z
  .object({
    eq: z.unknown(),
    ne: z.unknown(),
    gt: z.union([z.number(), z.string()]),
    gte: z.union([z.number(), z.string()]),
    lt: z.union([z.number(), z.string()]),
    lte: z.union([z.number(), z.string()]),
    in: z.array(z.unknown()),
    notIn: z.array(z.unknown()),
    matches: z.string().superRefine((source, ctx) => {
      const problem = patternError(source);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
    exists: z.boolean(),
  })
  .partial()
  .strict();

const isOperatorObject = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length > 0 && Object.keys(value).every((key) => (OPERATORS as readonly string[]).includes(key));

/** A condition: an operator object, or a bare value meaning `eq`. */
export const condition = z.unknown().transform((value, ctx) => {
  if (!isOperatorObject(value)) {
    // An object that mixes operators with other keys is almost certainly a typo.
    if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).some((key) => (OPERATORS as readonly string[]).includes(key))) {
      const unknown = Object.keys(value).filter((key) => !(OPERATORS as readonly string[]).includes(key));
      ctx.addIssue({ code: 'custom', message: `unknown operator(s) ${unknown.join(', ')}; use ${OPERATORS.join(', ')}` });
      return z.NEVER;
    }
    return { eq: value } as z.infer<typeof operatorObject>;
  }
  const parsed = operatorObject.safeParse(value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
    return z.NEVER;
  }
  return parsed.data;
});
export type Condition = z.infer<typeof operatorObject>;

const conditionPath = z.string().regex(/^(params(\.[^.]+)+|agent_id|action)$/, 'a condition path is params.<field>[.<field>…], agent_id or action');

/** `15m`, `30s`, `2h`, `1d`. */
export const ttl = z.string().regex(/^\d+[smhd]$/, 'ttl is a number followed by s, m, h or d (e.g. 15m)').transform((text) => {
  const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[text.slice(-1) as 's' | 'm' | 'h' | 'd'];
  return Number(text.slice(0, -1)) * unit;
});

export const rule = z
  .object({
    id: z.string().min(1).optional(),
    match: z.object({ action: z.string().min(1).optional(), agent: z.string().min(1).optional() }).strict().optional(),
    when: z.record(conditionPath, condition).optional(),
    decision: schemas.decisionValue,
    reason: z.string().optional(),
    approval: z.object({ ttl }).strict().optional(),
    /**
     * Whether an approver whose `agents` glob matches the approval's agent may decide it. `false`
     * forbids it for this rule; when absent, the tenant's `forbidSelfApproval` applies. Decisions
     * find the rule by its `id`, so a rule that sets it must have one.
     */
    selfApproval: z.boolean().optional(),
  })
  .strict()
  .superRefine((entry, ctx) => {
    if (entry.selfApproval !== undefined && !entry.id) ctx.addIssue({ code: 'custom', message: 'a rule that sets selfApproval needs an id: a decision finds its rule by id', path: ['selfApproval'] });
  });
export type Rule = z.infer<typeof rule>;

const agentGlob = z.string().min(1, 'agents is a glob of agent ids (e.g. payment-bot or support-*)');

/** A key bound to agents: it may act only under the agent ids its `agents` glob matches. */
export const agentKey = z
  .object({
    key: z.string().min(8, 'key must be at least 8 characters'),
    agents: agentGlob,
  })
  .strict();
export type AgentKey = z.infer<typeof agentKey>;

/** 64 hex digits: a SHA-256 digest (`haltstate hash-key` prints one). Stored lowercase. */
const sha256Hex = z
  .string()
  .regex(/^[0-9a-fA-F]{64}$/, 'keySha256 is the SHA-256 digest of the approver key, 64 hex digits (`haltstate hash-key` prints it)')
  .transform((hex) => hex.toLowerCase());

/**
 * A person who decides approvals, with a key of their own, of which only the SHA-256 digest is
 * written down (a policy file is read by many; the digest lets nobody decide).
 */
export const approver = z
  .object({
    /** Who decides: recorded on every decision (approvals.approver, the audit trail). */
    id: z.string().trim().min(1).max(200),
    keySha256: sha256Hex,
    /** The agent ids that act for this person: they may not decide those agents' requests where self-approval is forbidden. */
    agents: z.string().min(1, 'agents is a glob of agent ids (e.g. payment-bot or support-*)').optional(),
    // A key in clear here would be readable by everyone who reads the policy file.
    key: z.never({ error: 'an approver key is never written in clear: put its SHA-256 digest in keySha256 (`haltstate hash-key` prints it) and remove key' }).optional(),
  })
  .strict();
export type Approver = z.infer<typeof approver>;

/** The problems of one tenant's approvers: ids and digests used twice (paths relative to the list). */
export function approverListIssues(list: readonly Approver[], digestsInUse: Set<string> = new Set()): Array<{ message: string; path: Array<string | number> }> {
  const issues: Array<{ message: string; path: Array<string | number> }> = [];
  const ids = new Set<string>();
  list.forEach((entry, index) => {
    if (ids.has(entry.id)) issues.push({ message: `duplicate approver id "${entry.id}"`, path: [index, 'id'] });
    ids.add(entry.id);
    if (digestsInUse.has(entry.keySha256)) issues.push({ message: 'keySha256 is already used by another approver or key: each approver has a key of their own', path: [index, 'keySha256'] });
    digestsInUse.add(entry.keySha256);
  });
  return issues;
}

const keyDigest = (key: string) => createHash('sha256').update(key, 'utf8').digest('hex');

export const tenant = z
  .object({
    id: z.string().min(1),
    /** The tenant's API key. Without `agents` it may act as any agent id (a development key). */
    apiKey: z.string().min(8, 'apiKey must be at least 8 characters'),
    /** Limits `apiKey` to the agent ids this glob matches. */
    agents: agentGlob.optional(),
    adminKey: z.string().min(8, 'adminKey must be at least 8 characters'),
    /** More agent keys, each bound to the agent ids of its glob. */
    agentKeys: z.array(agentKey).optional(),
    /** The people who decide this tenant's approvals, each with a key of their own. */
    approvers: z.array(approver).optional(),
    /** Forbid self-approval on every rule that does not set `selfApproval` itself (and when the rule cannot be found). @default false */
    forbidSelfApproval: z.boolean().optional(),
  })
  .strict();
export type Tenant = z.infer<typeof tenant>;

export const policyFile = z
  .object({
    version: z.literal(1).optional(),
    default: schemas.decisionValue.optional(),
    tenants: z.array(tenant).optional(),
    rules: z.array(rule).default([]),
  })
  .strict()
  .superRefine((policy, ctx) => {
    const ids = new Set<string>();
    policy.rules.forEach((entry, index) => {
      if (entry.id && ids.has(entry.id)) ctx.addIssue({ code: 'custom', message: `duplicate rule id "${entry.id}"`, path: ['rules', index, 'id'] });
      if (entry.id) ids.add(entry.id);
    });
    const tenantIds = new Set<string>();
    const keys = new Set<string>();
    (policy.tenants ?? []).forEach((entry, index) => {
      if (tenantIds.has(entry.id)) ctx.addIssue({ code: 'custom', message: `duplicate tenant id "${entry.id}"`, path: ['tenants', index, 'id'] });
      tenantIds.add(entry.id);
      for (const field of ['apiKey', 'adminKey'] as const) {
        if (keys.has(entry[field])) ctx.addIssue({ code: 'custom', message: `${field} is already used by another tenant or role`, path: ['tenants', index, field] });
        keys.add(entry[field]);
      }
      (entry.agentKeys ?? []).forEach((bound, at) => {
        if (keys.has(bound.key)) ctx.addIssue({ code: 'custom', message: 'key is already used by another tenant, role or agent key', path: ['tenants', index, 'agentKeys', at, 'key'] });
        keys.add(bound.key);
      });
    });
    // Approver digests: unique everywhere, and never the digest of another key of the file (a
    // key that is both an agent's and an approver's would let an agent decide).
    const digests = new Set([...keys].map(keyDigest));
    (policy.tenants ?? []).forEach((entry, index) => {
      for (const issue of approverListIssues(entry.approvers ?? [], digests)) ctx.addIssue({ code: 'custom', message: issue.message, path: ['tenants', index, 'approvers', ...issue.path] });
    });
  });

/** A policy as written in the file (before defaults). */
export type PolicyInput = z.input<typeof policyFile>;
/** A validated policy. */
export type Policy = z.infer<typeof policyFile>;
