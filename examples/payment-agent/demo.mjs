// The README's first command: a payment agent gated by HaltState, against the bundled local
// server, offline. Run with `npm run demo` (add `-- --interactive` to approve yourself: at the
// prompt, in the approvals page, or with the printed CLI command).
import { createInterface } from 'node:readline/promises';
import { fileURLToPath } from 'node:url';
import { ActionDenied, HaltStateClient } from '@haltstate/core';
import { AdminClient, createLocalServer, formatAuditTable } from '@haltstate/local';

const interactive = process.argv.includes('--interactive');
const policy = fileURLToPath(new URL('../policy.yaml', import.meta.url));
const say = (text = '') => console.log(text);

// 1. The local server, in-process on a free port, with examples/policy.yaml.
const server = await createLocalServer({ policy, db: ':memory:' });
const tenant = server.tenants.find((entry) => entry.id === 'demo');
const admin = new AdminClient({ url: server.url, tenantId: tenant.id, adminKey: tenant.adminKey });
say(`HaltState local server on ${server.url} (policy: examples/policy.yaml)\n`);

// 2. The agent's client. In production: new HaltStateClient() with HALTSTATE_* variables set.
const client = new HaltStateClient({ baseUrl: server.url, tenantId: tenant.id, apiKey: tenant.apiKey, agentId: 'payment-bot-01' });

// The side effect we are protecting. Here it only prints (after the human's part has printed).
let humanDone = Promise.resolve();
async function pay({ invoice, amount, currency }, permit) {
  await humanDone;
  const by = permit.approver ? `approved by ${permit.approver}` : 'allowed by policy';
  say(`   💸 paid ${amount} ${currency} for ${invoice} (${by})`);
  return { transactionId: `tx_${invoice}` };
}

const payment = (invoice, amount, currency = 'USD') =>
  client.guard(
    { action: 'payment.process', params: { invoice, amount, currency }, idempotencyKey: `payment-${invoice}`, metadata: { requestedBy: 'demo' }, wait: { timeoutMs: 60_000 } },
    (permit) => pay({ invoice, amount, currency }, permit),
  );

// What a human does while the agent waits: in the approvals page, with the CLI, or (here, when
// not --interactive) through the admin routes. Both ways are printed so they work as printed.
async function human() {
  let pending;
  while (!(pending = (await admin.approvals('pending'))[0])) await new Promise((resolve) => setTimeout(resolve, 50));
  const shortId = pending.approval_id.slice(0, 8);
  say(`   ⏳ approval ${shortId} requested: ${pending.action} ${JSON.stringify(pending.params)}`);
  say(`      approve it in the browser: ${server.signInUrl(tenant.id)}`);
  say(`      or in a terminal: npx --no-install haltstate approve ${shortId} --url ${server.url} --tenant ${tenant.id} --admin-key ${tenant.adminKey}`);
  say(`      (the admin key of tenant ${tenant.id} in examples/policy.yaml; both work while this demo runs${interactive ? '' : ': try them with npm run demo -- --interactive'})`);
  if (interactive) {
    const decidedElsewhere = new AbortController();
    // A decision from the page or the CLI ends the question.
    const watch = (async () => {
      while (!decidedElsewhere.signal.aborted) {
        const now = (await admin.approvals()).find((approval) => approval.approval_id === pending.approval_id);
        if (now && now.status !== 'pending') return decidedElsewhere.abort(now);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    try {
      const answer = (await rl.question('   Approve this payment here? [y/N] ', { signal: decidedElsewhere.signal })).trim().toLowerCase();
      decidedElsewhere.abort();
      if (answer === 'y' || answer === 'yes') await admin.approve(pending.approval_id, { approver: 'you', reason: 'approved at the terminal' });
      else await admin.reject(pending.approval_id, { approver: 'you', reason: 'rejected at the terminal' });
    } catch (error) {
      if (!decidedElsewhere.signal.aborted) throw error;
      const decided = decidedElsewhere.signal.reason;
      say(`\n   👤 ${decided.status} by ${decided.approver} (outside this terminal)`);
    } finally {
      rl.close();
      await watch;
    }
    return;
  }
  await new Promise((resolve) => setTimeout(resolve, 700));
  say('   👤 alice reviews it and approves');
  await admin.approve(pending.approval_id, { approver: 'alice', reason: 'Invoice checked' });
}

let exitCode = 0;
try {
  say('1. A small payment (250 USD): the policy allows it.');
  await payment('INV-1001', 250);

  say('\n2. A large payment (5000 USD): the policy wants a human. The agent waits (SSE), then runs it once.');
  humanDone = human();
  const [receipt] = await Promise.all([payment('INV-1002', 5000), humanDone]);
  say(`   receipt: ${JSON.stringify(receipt)}`);

  say('\n3. The agent tries database.drop: denied, and the function never runs.');
  try {
    await client.guard({ action: 'database.drop', params: { table: 'payments' } }, () => {
      throw new Error('this must never run');
    });
  } catch (error) {
    if (!(error instanceof ActionDenied)) throw error;
    say(`   ⛔ ${error.message} (rule ${error.policyId})`);
  }

  const delivery = await client.flush();
  say(`\n4. The audit trail (${delivery.delivered} report(s) delivered):\n`);
  say(formatAuditTable(await admin.audit()));
} catch (error) {
  exitCode = 1;
  console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  await client.close();
  await server.close();
}
process.exitCode = exitCode;
