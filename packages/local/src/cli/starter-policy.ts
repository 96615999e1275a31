// What `haltstate init` writes. The quickstart runs its samples against it, so its tenant,
// keys and rules are the ones docs/quickstart.md uses.

/**
 * The starter policy's tenant. Its keys are published (here and in the docs): local use only.
 *
 * @example
 * const published = tenants.some((tenant) => tenant.adminKey === STARTER_TENANT.adminKey);
 */
export const STARTER_TENANT = { id: 'demo', apiKey: 'hs_local_demo_key', adminKey: 'hs_admin_demo_key' } as const;

/**
 * The commented starter policy `haltstate init` writes; `startCommand` is named in its first lines.
 *
 * @example
 * writeFileSync('policy.yaml', starterPolicy(command('dev', '--policy', 'policy.yaml')), { flag: 'wx' });
 */
export const starterPolicy = (startCommand: string): string => `# A HaltState local policy, written by \`haltstate init\`. Start the server with it:
#   ${startCommand}
# The format (rules, conditions, ttl):
# https://github.com/haltstate/haltstate-sdk-ts/blob/main/docs/local-server.md#policy-file
version: 1

# What happens when no rule matches: DENY (the safe default), ALLOW or APPROVAL_REQUIRED.
default: DENY

# Who may call the server. Agents send the apiKey (HALTSTATE_API_KEY); approvers use the
# adminKey (the approvals page, \`haltstate approve\`). These are demo keys that anyone who reads
# this file knows: keep the server on 127.0.0.1 (the default), or change them first.
tenants:
  - id: ${STARTER_TENANT.id}
    apiKey: ${STARTER_TENANT.apiKey}
    adminKey: ${STARTER_TENANT.adminKey}
    # The apiKey above may act as any agent id (fine on a laptop). To hold an agent to its own
    # name, give it a key bound to it; a bound key acting as another agent id is refused (403):
    # agentKeys:
    #   - key: <a long random key>
    #     agents: "payment-bot*"                # a glob of the agent ids this key may use
    # https://github.com/haltstate/haltstate-sdk-ts/blob/main/docs/security.md#what-each-key-can-do

# Tried in order: the first rule that matches an action decides. A rule without \`when\` decides
# every action it matches, so put narrow rules above broad ones (\`haltstate dev\` warns if not).
rules:
  # Never automatic.
  - id: no-drops
    match: { action: "database.drop*" }      # globs: * any run of characters, ? one
    decision: DENY
    reason: Destructive database operations are never automatic

  # Small payments in a supported currency run at once...
  - id: small-payments
    match: { action: "payment.*", agent: "payment-bot*" }
    when:                                     # every condition must hold
      params.amount: { lte: 1000 }            # a number: no quotes
      params.currency: { in: [USD, EUR] }
    decision: ALLOW
    reason: Small payment in a supported currency

  # ...every other payment waits for a human: the approvals page or \`haltstate approve\`.
  - id: large-payments
    match: { action: "payment.*" }
    decision: APPROVAL_REQUIRED
    reason: Over the automatic limit
    approval: { ttl: 15m }                    # then the approval expires

  # Email to your own domain only; any other action gets the default (DENY).
  - id: internal-email
    match: { action: "email.send" }
    when:
      params.to: { matches: "@example\\\\.com$" }
    decision: ALLOW
    reason: Internal email
`;
