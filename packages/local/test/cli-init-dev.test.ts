import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HaltStateClient } from '@haltstate/core';
import { AdminClient, evaluate, lintPolicy, readPolicyFile, type LocalServer } from '@haltstate/local';
import { main, type CliIo } from '../src/cli/index';
import { TENANTS } from './helpers/server';

function io(extra: Partial<CliIo> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (text: string) => out.push(text), err: (text: string) => err.push(text), env: {}, ...extra } satisfies CliIo };
}

const running = new Set<() => void>();
afterEach(() => {
  // A failed assertion leaves no server behind.
  for (const stop of running) stop();
  running.clear();
});

/** Runs `haltstate dev …` until it listens (or exits); `stop()` ends it. */
async function startDev(args: string[], extra: Partial<CliIo> = {}) {
  let stop = () => undefined as void;
  const run = io({ stopSignal: new Promise<void>((resolve) => (stop = resolve)), ...extra });
  let server: LocalServer | undefined;
  let ended = false;
  const exit = main(['dev', '--port', '0', '--db', ':memory:', ...args], { ...run.io, onServer: (started) => (server = started) }).finally(() => (ended = true));
  running.add(() => stop());
  while (!ended && !run.out.some((line) => line.startsWith('  Open a sign-in link'))) await new Promise((resolve) => setImmediate(resolve));
  return { ...run, server, exit, stop: async () => (stop(), exit) };
}

const dir = mkdtempSync(join(tmpdir(), 'haltstate-init-'));
const policyWithTenants = join(dir, 'tenants.yaml');
writeFileSync(policyWithTenants, JSON.stringify({ version: 1, tenants: TENANTS, rules: [{ id: 'r', match: { action: 'payment.*' }, decision: 'APPROVAL_REQUIRED' }] }));

describe('haltstate init', () => {
  it('writes the commented starter policy and prints the next command, which starts the server as printed', async () => {
    const cwd = mkdtempSync(join(dir, 'project-'));
    const run = io({ cwd });
    expect(await main(['init'], run.io)).toBe(0);
    expect(run.out).toEqual([
      'wrote policy.yaml: tenant demo (API key hs_local_demo_key, admin key hs_admin_demo_key), default DENY, 4 rules',
      'next: npx --no-install haltstate dev --policy policy.yaml',
    ]);
    const text = readFileSync(join(cwd, 'policy.yaml'), 'utf8');
    expect(text).toMatch(/^# A HaltState local policy, written by `haltstate init`\. Start the server with it:\n#   npx --no-install haltstate dev --policy policy.yaml\n/);
    expect(text.split('\n').filter((line) => line.trimStart().startsWith('#')).length).toBeGreaterThan(10);

    // The printed command, run from the same directory (on a free port, for the test).
    const [subcommand, ...printed] = run.out[1]!.replace(/^next: npx --no-install haltstate /, '').split(' ');
    expect(subcommand).toBe('dev');
    const dev = await startDev(printed, { cwd });
    expect(dev.err).toEqual([]);
    expect(dev.out.join('\n')).toMatch(/policy: policy\.yaml · 4 rule\(s\)/);
    const server = dev.server!;
    expect(server.tenants.map((tenant) => tenant.id)).toEqual(['demo']);
    const client = new HaltStateClient({ baseUrl: server.url, tenantId: 'demo', apiKey: 'hs_local_demo_key', agentId: 'payment-bot-01', retries: 0 });
    expect((await client.check('payment.process', { params: { invoice: 'INV-7', amount: 5000, currency: 'USD' } })).decision).toBe('APPROVAL_REQUIRED');
    await client.close();
    expect(await dev.stop()).toBe(0);
  });

  it('the starter policy decides as the quickstart says, with no warnings', () => {
    const cwd = mkdtempSync(join(dir, 'project-'));
    return main(['init', 'config/haltstate.yaml'], io({ cwd }).io).then((code) => {
      expect(code).toBe(0);
      const { policy, warnings } = readPolicyFile(join(cwd, 'config/haltstate.yaml'));
      expect(warnings).toEqual([]);
      expect(lintPolicy(policy)).toEqual([]);
      const decide = (action: string, params: Record<string, unknown>, agentId = 'payment-bot-01') => evaluate(policy, { action, params, agentId });
      expect(decide('payment.process', { amount: 250, currency: 'USD' })).toMatchObject({ decision: 'ALLOW', policyId: 'small-payments' });
      expect(decide('payment.process', { amount: 5000, currency: 'USD' })).toMatchObject({ decision: 'APPROVAL_REQUIRED', policyId: 'large-payments', ttlMs: 900_000 });
      expect(decide('database.drop', { table: 'payments' })).toMatchObject({ decision: 'DENY', policyId: 'no-drops' });
      expect(decide('email.send', { to: 'bob@example.com' })).toMatchObject({ decision: 'ALLOW', policyId: 'internal-email' });
      expect(decide('email.send', { to: 'bob@example.org' })).toMatchObject({ decision: 'DENY', policyId: null });
      expect(decide('shell.exec', {})).toMatchObject({ decision: 'DENY', policyId: null });
    });
  });

  it('decides the quickstart actions as examples/policy.yaml does (the samples are tested against that file)', async () => {
    const cwd = mkdtempSync(join(dir, 'project-'));
    expect(await main(['init'], io({ cwd }).io)).toBe(0);
    const starter = readPolicyFile(join(cwd, 'policy.yaml')).policy;
    const examples = readPolicyFile(join(__dirname, '../../../examples/policy.yaml')).policy;
    const requests = [
      { action: 'payment.process', params: { invoice: 'INV-7', amount: 5000, currency: 'USD' }, agentId: 'payment-bot-01' },
      { action: 'payment.process', params: { invoice: 'INV-1', amount: 250, currency: 'USD' }, agentId: 'payment-bot-01' },
      { action: 'payment.process', params: { amount: 250, currency: 'GBP' }, agentId: 'payment-bot-01' },
      { action: 'payment.process', params: { amount: 250, currency: 'USD' }, agentId: 'other-agent' },
      { action: 'email.send', params: { to: 'bob@example.com', body: 'Hi' }, agentId: 'payment-bot-01' },
      { action: 'email.send', params: { to: 'eve@elsewhere.org' }, agentId: 'payment-bot-01' },
      { action: 'database.drop', params: { table: 'payments' }, agentId: 'payment-bot-01' },
    ];
    expect(requests.map((request) => evaluate(starter, request).decision)).toEqual(requests.map((request) => evaluate(examples, request).decision));
    expect(starter.tenants).toEqual(examples.tenants);
  });

  it('refuses to overwrite a file without --force, and says what works instead', async () => {
    const cwd = mkdtempSync(join(dir, 'project-'));
    writeFileSync(join(cwd, 'policy.yaml'), 'mine\n');
    const refused = io({ cwd });
    expect(await main(['init'], refused.io)).toBe(1);
    expect(refused.err).toEqual([
      'error: policy.yaml already exists; nothing was written. Start with it: npx --no-install haltstate dev --policy policy.yaml (or overwrite it: npx --no-install haltstate init policy.yaml --force)',
    ]);
    expect(readFileSync(join(cwd, 'policy.yaml'), 'utf8')).toBe('mine\n');
    const forced = io({ cwd });
    expect(await main(['init', 'policy.yaml', '--force'], forced.io)).toBe(0);
    expect(readFileSync(join(cwd, 'policy.yaml'), 'utf8')).toMatch(/^# A HaltState local policy/);
  });

  it('quotes a path with spaces in the printed command', async () => {
    const cwd = mkdtempSync(join(dir, 'project-'));
    const run = io({ cwd });
    expect(await main(['init', 'my policy.yaml'], run.io)).toBe(0);
    expect(run.out[1]).toBe("next: npx --no-install haltstate dev --policy 'my policy.yaml'");
  });
});

describe('haltstate dev output', () => {
  it('without a policy: a warning that names a command that works, the dev tenant keys and its sign-in link', async () => {
    const dev = await startDev([]);
    expect(dev.err).toEqual(['warning: no --policy given, so every action is denied. Write a starter policy: npx --no-install haltstate init, then: npx --no-install haltstate dev --policy policy.yaml']);
    const [tenant] = dev.server!.tenants;
    expect(dev.out).toContain(`  tenant local · api key ${tenant!.apiKey} · admin key ${tenant!.adminKey} (made for this run: no tenants in the policy)`);
    expect(dev.out.find((line) => line.startsWith('    sign-in link for the approvals page: '))).toMatch(new RegExp(`^    sign-in link for the approvals page: ${dev.server!.url}/#code=hs_code_[A-Za-z0-9_-]+$`));
    expect(await dev.stop()).toBe(0);
  });

  it('with tenants from a policy file: one sign-in link per tenant, keys masked, and each link signs its tenant in', async () => {
    const dev = await startDev(['--policy', policyWithTenants]);
    const text = dev.out.join('\n');
    for (const tenant of TENANTS) {
      expect(text).not.toContain(tenant.apiKey);
      expect(text).not.toContain(tenant.adminKey);
      expect(dev.out).toContain(`  tenant ${tenant.id} · api key hs_tes… · admin key hs_tes… (masked: --show-keys prints them)`);
    }
    // Each link carries a one-time code: the page exchanges it for a session of that link's tenant.
    const links = dev.out.filter((line) => line.startsWith(`    sign-in link for the approvals page: ${dev.server!.url}/#code=`));
    const signedIn: string[] = [];
    for (const link of links) {
      const code = new URLSearchParams(new URL(link.split(': ')[1]!).hash.slice(1)).get('code')!;
      const session = (await (await fetch(`${dev.server!.url}/local/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) })).json()) as { tenant_id: string; token: string };
      expect(await new AdminClient({ url: dev.server!.url, adminKey: session.token }).whoami()).toEqual({ tenant_id: session.tenant_id });
      signedIn.push(session.tenant_id);
    }
    expect(signedIn).toEqual(TENANTS.map((tenant) => tenant.id));
    expect(dev.out.filter((line) => line.includes('sign-in link for'))).toHaveLength(2);
    expect(await dev.stop()).toBe(0);
  });

  it('--show-keys prints the keys in full', async () => {
    const dev = await startDev(['--policy', policyWithTenants, '--show-keys']);
    expect(dev.out).toContain(`  tenant acme · api key ${TENANTS[0]!.apiKey} · admin key ${TENANTS[0]!.adminKey}`);
    expect(await dev.stop()).toBe(0);
  });

  it('a sign-in token dies with the server', async () => {
    const dev = await startDev(['--policy', policyWithTenants]);
    const token = dev.server!.signInToken('acme');
    const next = await startDev(['--policy', policyWithTenants]);
    await dev.stop();
    await expect(new AdminClient({ url: next.server!.url, adminKey: token }).whoami()).rejects.toMatchObject({ status: 401 });
    expect(next.server!.signInToken('acme')).not.toBe(token);
    await next.stop();
  });

  it('the approvals page says what dev prints: the sign-in link', async () => {
    const dev = await startDev(['--policy', policyWithTenants]);
    const page = await (await fetch(`${dev.server!.url}/`)).text();
    expect(page).toMatch(/Open the sign-in link that <code>haltstate dev<\/code> prints for your tenant/);
    expect(dev.out.join('\n')).toMatch(/sign-in link for the approvals page: http/);
    expect(dev.out).toContain('  Open a sign-in link to approve in the browser (each link works once; `npx --no-install haltstate sign-in-link` prints another); Ctrl+C stops the server.');
    await dev.stop();
  });

  it.each([
    ['0.0.0.0', true],
    ['::', true],
    ['127.0.0.1', false],
    ['localhost', false],
  ])('--host %s warns that it exposes the server: %s', async (host, warns) => {
    const dev = await startDev(['--policy', policyWithTenants, '--host', host]);
    const warning = dev.err.filter((line) => line.startsWith('warning: --host'));
    expect(warning).toEqual(warns ? [expect.stringMatching(new RegExp(`^warning: --host ${host.replace(/\./g, '\\.')} makes this server reachable from other machines, over plain HTTP.*Keep the default --host 127\\.0\\.0\\.1`))] : []);
    await dev.stop();
  });

  it('--host beyond loopback with the starter keys names the tenant whose keys are published', async () => {
    const cwd = mkdtempSync(join(dir, 'project-'));
    await main(['init'], io({ cwd }).io);
    const dev = await startDev(['--policy', 'policy.yaml', '--host', '0.0.0.0'], { cwd });
    expect(dev.err.join('\n')).toMatch(/Tenant demo uses the starter policy's published keys: change them before exposing the server/);
    await dev.stop();
  });

  it('prints policy warnings with their code frames on start', async () => {
    const file = join(dir, 'warned.yaml');
    writeFileSync(file, 'rules:\n  - id: all\n    decision: DENY\n  - id: late\n    match: { action: "payment.*" }\n    when: { "params.amount": { gt: "10" } }\n    decision: ALLOW\n');
    const dev = await startDev(['--policy', file]);
    expect(dev.server).toBeDefined();
    expect(dev.err).toEqual([
      expect.stringMatching(/^warning: .*warned\.yaml: rules\[1\] \("late"\) can never match: rules\[0\] \("all"\).*\n  --> .*warned\.yaml:4:5\n  3 \|     decision: DENY\n> 4 \|   - id: late\n    \|     \^+$/),
      expect.stringMatching(/^warning: .*warned\.yaml: rules\[1\] \("late"\): params\.amount gt is given the string "10".*\n  --> .*warned\.yaml:6:36\n.*\n.*\n    \| {36}\^{4}$/),
    ]);
    expect(await dev.stop()).toBe(0);
  });

  it('an empty policy file fails the start with exit code 2', async () => {
    const file = join(dir, 'empty.yaml');
    writeFileSync(file, '');
    const run = io();
    expect(await main(['dev', '--policy', file, '--port', '0', '--db', ':memory:'], run.io)).toBe(2);
    expect(run.err.join('\n')).toMatch(/^error: .*empty\.yaml: the file is empty \(or only comments\), so it has no rules: `npx --no-install haltstate init .*empty\.yaml --force` writes a starter policy over it\n  --> .*empty\.yaml:1:1\n> 1 \| \n    \| \^$/);
  });
});
