import { z } from 'zod';
import { issuesError, PolicyFileError, readDataFile } from './load.js';
import { approver, approverListIssues, type Approver } from './schema.js';

/**
 * An approvers (users) file: the approvers of each tenant, kept apart from the policy so the
 * people can change without a policy review (and the policy can be public while the list is
 * not). The same entries as a tenant's `approvers` in the policy file:
 *
 * ```yaml
 * version: 1
 * tenants:
 *   acme:
 *     - id: alice
 *       keySha256: 5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8
 *       agents: "alice-*"
 * ```
 */
export const approversFile = z
  .object({
    version: z.literal(1).optional(),
    tenants: z.record(z.string().min(1), z.array(approver)),
  })
  .strict()
  .superRefine((file, ctx) => {
    const digests = new Set<string>();
    for (const [tenantId, list] of Object.entries(file.tenants)) {
      for (const issue of approverListIssues(list, digests)) ctx.addIssue({ code: 'custom', message: issue.message, path: ['tenants', tenantId, ...issue.path] });
    }
  });

/** Approvers by tenant id. */
export type ApproversByTenant = Readonly<Record<string, readonly Approver[]>>;

/**
 * Reads and validates an approvers file (YAML or JSON, see {@link approversFile}): a bad entry is
 * a {@link PolicyFileError} located in the file (a key in clear is refused, and never printed).
 * Pass the result as `approvers.extra` to `buildServer`.
 *
 * @example
 * const extra = readApproversFile('approvers.yaml');
 * buildServer({ policy: 'policy.yaml', approvers: { required: true, extra, sessionSecret } });
 */
export function readApproversFile(file: string): ApproversByTenant {
  const { data, map } = readDataFile(file);
  if (data === null || data === undefined) throw new PolicyFileError(file, ['the approvers file is empty: it needs `tenants: { <tenant id>: [ { id, keySha256 } ] }`']);
  const parsed = approversFile.safeParse(data);
  if (!parsed.success) throw issuesError(parsed.error.issues, file, map);
  return parsed.data.tenants;
}
