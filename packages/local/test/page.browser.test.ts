// The approvals page in a real browser: Debian's chromium driven by playwright-core (no browser
// is downloaded; playwright gives it a fresh profile). .ci/run installs chromium; elsewhere the
// test is skipped, loudly, without it.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ApprovalPending } from '@haltstate/core';
import type { LocalServer } from '@haltstate/local';
import { testKey } from '@test-support/keys';
import { clientFor, POLICY, startServer, TENANTS, uniqueKey } from './helpers/server';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available) {
  if (process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium for this test`);
  console.warn(`skipping the approvals page browser test: ${CHROMIUM} not found (apt-get install chromium)`);
}
const describeWithBrowser = available ? describe : describe.skip;

/** A local server and Debian's chromium for one describe block: started before its tests, closed after. */
function serverAndBrowser(): { server: LocalServer; browser: Browser } {
  const env = {} as { server: LocalServer; browser: Browser };
  beforeAll(async () => {
    env.server = await startServer();
    env.browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 30_000);
  afterAll(async () => {
    await env.browser?.close();
    await env.server?.close();
  });
  return env;
}

describeWithBrowser('approvals page (chromium)', () => {
  const env = serverAndBrowser();

  it('approving from the page lets the waiting guarded action run; params are shown as text', async () => {
    const client = clientFor(env.server);
    const runs = jest.fn(() => 'paid');
    const xss = '<img src=x onerror="window.__pwned=1">';
    const key = uniqueKey('page');
    const metadata = { ticket: '<b>T-1</b>', link: 'https://tickets.example.com/T-1?from=agent', evil: 'javascript:window.__pwned=1', sneaky: 'https://x" onclick="window.__pwned=1' };
    const result = client.guard({ action: 'payment.process', params: { amount: 5000, note: xss }, metadata, idempotencyKey: key, wait: { timeoutMs: 20_000, pollIntervalMs: 60_000 } }, runs);
    result.catch(() => undefined); // awaited below; this only keeps a failed assertion from crashing the worker

    const page = await env.browser.newPage();
    const acme = TENANTS[0]!;
    const link = env.server.signInUrl(acme.id);
    await page.goto(link);
    const card = page.locator('#pending article', { hasText: 'payment.process' });
    await card.waitFor({ timeout: 10_000 });
    // The one-time code left the address bar before it was used, and no key was ever in it.
    expect(page.url()).toBe(`${env.server.url}/`);
    expect(link).not.toContain(acme.adminKey);
    expect(await page.evaluate(() => Object.values(sessionStorage).join(' '))).not.toContain(acme.adminKey);
    expect(await card.locator('dl.params').textContent()).toContain(JSON.stringify(xss));
    expect(await card.locator('.metadata').textContent()).toContain('<b>T-1</b>');
    // An http(s) value is a link that opens apart from the page; anything else stays text.
    const links = card.locator('.metadata a');
    expect(await links.evaluateAll((anchors) => anchors.map((a) => ({ href: a.getAttribute('href'), rel: a.getAttribute('rel'), target: a.getAttribute('target'), text: a.textContent })))).toEqual([
      { href: 'https://tickets.example.com/T-1?from=agent', rel: 'noopener noreferrer', target: '_blank', text: 'https://tickets.example.com/T-1?from=agent' },
      // The browser's URL parser escapes what it must: the quotes never leave the attribute.
      { href: expect.stringMatching(/^https:\/\/x.*onclick/), rel: 'noopener noreferrer', target: '_blank', text: 'https://x" onclick="window.__pwned=1' },
    ]);
    expect(await card.locator('.metadata').textContent()).toContain('javascript:window.__pwned=1');
    await card.locator('.metadata a').first().evaluate((a) => a.removeAttribute('target')); // (no navigation in this test)
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await card.locator('img, b, [onclick]').count()).toBe(0);
    expect(runs).not.toHaveBeenCalled();

    await page.fill('#approver', 'page-approver');
    await card.getByRole('button', { name: 'Approve' }).click();
    await expect(result).resolves.toBe('paid');
    expect(runs).toHaveBeenCalledTimes(1);
    await page.locator('#decided article .decision', { hasText: 'approved by page-approver' }).waitFor({ timeout: 10_000 });
    await page.close();
    await client.close();
  }, 30_000);

  it('a new request appears live, and a rejection needs a reason', async () => {
    const page = await env.browser.newPage();
    await page.goto(env.server.signInUrl('acme'));
    await page.locator('#status', { hasText: 'live' }).waitFor({ timeout: 10_000 });
    const decision = await clientFor(env.server).check('payment.refund', { params: { amount: 777 } });
    const card = page.locator(`#approval-${decision.approvalId}`);
    await card.waitFor({ timeout: 10_000 });
    await page.fill('#approver', 'page-approver');
    await card.getByRole('button', { name: 'Reject' }).click();
    await page.locator('#error', { hasText: 'needs a reason' }).waitFor();
    await card.locator('input.reason').fill('duplicate refund');
    await card.getByRole('button', { name: 'Reject' }).click();
    await page.locator(`#decided #approval-${decision.approvalId}`).waitFor({ timeout: 10_000 });
    expect(await clientFor(env.server).getApproval(decision.approvalId!)).toMatchObject({ status: 'rejected', reason: 'duplicate refund', approver: 'page-approver' });
    await page.close();
  }, 30_000);

  it('a wrong admin key shows the sign-in form, which names what haltstate dev prints', async () => {
    const page = await env.browser.newPage();
    await page.goto(`${env.server.url}/#tenant=acme&key=wrong-key`);
    await page.locator('#error', { hasText: 'refused' }).waitFor({ timeout: 10_000 });
    expect(await page.locator('#login').isVisible()).toBe(true);
    expect(await page.locator('#login').textContent()).toMatch(/Open the sign-in link that haltstate dev prints for your tenant/);
    await page.close();
  }, 30_000);
});

describeWithBrowser('approvals page in approver mode (chromium)', () => {
  const aliceKey = testKey('alice-page-approver');
  const env = {} as { server: LocalServer; browser: Browser };
  beforeAll(async () => {
    const tenants = [{ ...TENANTS[0]!, approvers: [{ id: 'alice', keySha256: createHash('sha256').update(aliceKey).digest('hex') }] }, TENANTS[1]!];
    env.server = await startServer({ policy: { ...POLICY, tenants }, approvers: { required: true, sessionSecret: 'a-page-session-secret-of-32-bytes-at-least' } });
    env.browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  }, 30_000);
  afterAll(async () => {
    await env.browser?.close();
    await env.server?.close();
  });

  it("signs in with an approver's own key and decides as that approver (the name is not typed)", async () => {
    const decision = await clientFor(env.server).check('payment.process', { params: { amount: 4321 } });
    const page = await env.browser.newPage();
    await page.goto(env.server.url);
    await page.fill('#tenant', 'acme');
    await page.selectOption('#key-kind', 'approver_key');
    await page.fill('#key', aliceKey);
    await page.locator('#login button[type=submit]').click();
    const card = page.locator(`#approval-${decision.approvalId}`);
    await card.waitFor({ timeout: 10_000 });
    expect(await page.inputValue('#approver')).toBe('alice');
    expect(await page.locator('#approver').evaluate((input) => (input as HTMLInputElement).readOnly)).toBe(true);
    expect(await page.evaluate(() => Object.values(sessionStorage).join(' '))).not.toContain(aliceKey);
    await card.getByRole('button', { name: 'Approve' }).click();
    await page.locator(`#decided #approval-${decision.approvalId}`).waitFor({ timeout: 10_000 });
    expect(await clientFor(env.server).getApproval(decision.approvalId!)).toMatchObject({ status: 'approved', approver: 'alice' });
    await page.close();
  }, 30_000);
});

describeWithBrowser('approvals page features (chromium)', () => {
  const env = serverAndBrowser();

  /** A page whose Notification records what it is asked, and grants permission when asked. */
  async function openPage(): Promise<Page> {
    const page = await env.browser.newPage({ viewport: { width: 1000, height: 900 } });
    await page.addInitScript(() => {
      const record = window as unknown as { __asked: number; __notes: Array<{ title: string; body: string }> };
      record.__asked = 0;
      record.__notes = [];
      class RecordedNotification {
        static permission: NotificationPermission = 'default';
        static async requestPermission() {
          record.__asked += 1;
          RecordedNotification.permission = 'granted';
          return 'granted';
        }
        constructor(title: string, options: NotificationOptions) {
          record.__notes.push({ title, body: options.body ?? '' });
        }
        close() {}
      }
      Object.defineProperty(window, 'Notification', { value: RecordedNotification, configurable: true });
    });
    await page.goto(env.server.signInUrl('globex'));
    await page.locator('#status', { hasText: 'live' }).waitFor({ timeout: 10_000 });
    return page;
  }
  const asked = (page: Page) => page.evaluate(() => (window as unknown as { __asked: number }).__asked);
  const notes = (page: Page) => page.evaluate(() => (window as unknown as { __notes: Array<{ title: string; body: string }> }).__notes);

  it('signs in with the sign-in link, shows the tenant, the empty state and the count in the title; notifies only after a click; signs out', async () => {
    const page = await openPage();
    const globex = clientFor(env.server, TENANTS[1]!, { agentId: 'payment-bot-7' });
    expect(page.url()).not.toContain(env.server.signInToken('globex'));
    expect(await page.locator('#tenant-name').textContent()).toBe('globex');
    expect(await page.locator('#empty').isVisible()).toBe(true);
    expect(await page.locator('#empty').textContent()).toMatch(/No pending approvals/);
    expect(await page.title()).toBe('HaltState local · approvals');

    // A request before notifications are on: counted, not notified, and nothing was asked.
    const first = await globex.check('payment.process', { params: { amount: 5000 } });
    await page.locator(`#approval-${first.approvalId}`).waitFor({ timeout: 10_000 });
    expect(await page.title()).toBe('(1) HaltState local · approvals');
    expect(await page.locator('#count').textContent()).toBe('(1)');
    expect(await page.locator('#empty').isVisible()).toBe(false);
    expect({ asked: await asked(page), notes: await notes(page) }).toEqual({ asked: 0, notes: [] });

    await page.locator('#notify').click();
    await page.locator('#notify', { hasText: 'Notifications on' }).waitFor();
    expect(await asked(page)).toBe(1);
    const second = await globex.check('payment.refund', { params: { amount: 9000 } });
    await page.locator(`#approval-${second.approvalId}`).waitFor({ timeout: 10_000 });
    expect(await page.title()).toBe('(2) HaltState local · approvals');
    expect(await notes(page)).toEqual([{ title: 'Approval requested: payment.refund', body: `payment-bot-7 · Over the automatic limit · id ${second.approvalId!.slice(0, 8)}` }]);

    await page.locator('#signout').click();
    expect(await page.locator('#login').isVisible()).toBe(true);
    expect(await page.locator('#app').isVisible()).toBe(false);
    expect(await page.title()).toBe('HaltState local · approvals');
    expect(await page.evaluate(() => [sessionStorage.getItem('hs.session'), sessionStorage.getItem('hs.tenant')])).toEqual([null, null]);
    await page.reload();
    expect(await page.locator('#login').isVisible()).toBe(true);
    await page.close();
    await globex.close();
  }, 30_000);

  it('shows the short id, the rule, how long it waited and when it expires, cuts long values; screenshot', async () => {
    const globex = clientFor(env.server, TENANTS[1]!, { agentId: 'payment-bot-7' });
    const lines = Object.fromEntries(Array.from({ length: 30 }, (_, index) => [`line_${index + 1}`, { sku: `SKU-${1000 + index}`, quantity: index + 1 }]));
    // guard (not check) carries metadata; without a wait it throws ApprovalPending with the id.
    const pending = await globex
      .guard({ action: 'payment.process', params: { invoice: 'INV-2048', amount: 12_500, currency: 'EUR', lines }, metadata: { ticket: 'https://tickets.example.com/OPS-42', requested_by: 'finance-bot' }, idempotencyKey: uniqueKey('long') }, () => 'never')
      .catch((error: unknown) => error as ApprovalPending);
    expect(pending).toBeInstanceOf(ApprovalPending);
    const long = { approvalId: (pending as ApprovalPending).approvalId };
    const page = await openPage();
    const card = page.locator(`#approval-${long.approvalId}`);
    await card.waitFor({ timeout: 10_000 });
    expect(await card.locator('.approval-id').textContent()).toBe(long.approvalId!.slice(0, 8));
    expect(await card.locator('.rule').textContent()).toBe('Over the automatic limit (rule large-payments)');
    // The page's clock, 3 minutes after the request: the line refreshes itself (every 5 s).
    const row = (await env.server.store.listApprovals('globex')).find((entry) => entry.id === long.approvalId)!;
    const createdAt = Date.parse(row.createdAt);
    expect(Date.parse(row.expiresAt) - createdAt).toBe(15 * 60_000);
    await page.clock.setFixedTime(createdAt + 3 * 60_000);
    await card.locator('.times', { hasText: /^waiting 3m \(since .+\) · expires in 12m \(.+\)$/ }).waitFor({ timeout: 10_000 });
    // The rule looks at amount and currency: they come first, marked; a long value shows its start
    // and a button for the rest.
    expect(await card.locator('dl.params dt').allTextContents()).toEqual(['amount', 'currency', 'invoice', 'lines']);
    expect(await card.locator('dl.params dt.ruled').allTextContents()).toEqual(['amount', 'currency']);
    const expand = card.locator('dl.params button.expand');
    expect(await expand.textContent()).toMatch(/^show all \d+ characters$/);
    expect(await card.locator('dl.params dd').nth(3).textContent()).not.toContain('SKU-1029');
    await expand.click();
    expect(await card.locator('dl.params dd').nth(3).textContent()).toContain('SKU-1029');
    expect(await card.locator('.metadata a').getAttribute('href')).toBe('https://tickets.example.com/OPS-42');

    // A decided one for the picture, then the screenshot (kept out of the repository).
    const small = await globex.check('payment.refund', { params: { invoice: 'INV-7', amount: 1800, currency: 'USD' } });
    await page.locator(`#approval-${small.approvalId}`).waitFor({ timeout: 10_000 });
    await page.fill('#approver', 'alice');
    await page.locator(`#approval-${small.approvalId}`).getByRole('button', { name: 'Approve' }).click();
    await page.locator(`#decided #approval-${small.approvalId}`).waitFor({ timeout: 10_000 });
    const screenshot = join(tmpdir(), 'haltstate-approvals-page.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    console.log(`approvals page screenshot: ${screenshot}`);
    await page.close();
    await globex.close();
  }, 30_000);
});

describeWithBrowser('approvals page against spoofing (chromium)', () => {
  const env = serverAndBrowser();

  it('a 120 000-character field sorted first cannot push the amount out of sight; a right-to-left override is shown, not obeyed', async () => {
    const acme = TENANTS[0]!;
    const client = clientFor(env.server);
    const rlo = 'refund\u202Edrawkcab';
    // "aaa…" sorts before "amount"; before, the whole value was printed above it (12 510 px).
    const decision = await client.check('payment.process', { params: { aaa_notes: 'x'.repeat(120_000), amount: 250_000, currency: 'USD', memo: rlo, [`k\u200Bey`]: 'zero\u2066width' } });
    const page = await env.browser.newPage({ viewport: { width: 1000, height: 900 } });
    await page.goto(env.server.signInUrl(acme.id));
    const card = page.locator(`#approval-${decision.approvalId}`);
    await card.waitFor({ timeout: 10_000 });
    const amount = card.locator('dl.params dd', { hasText: '250000' });
    const box = (await amount.boundingBox())!;
    const cardBox = (await card.boundingBox())!;
    // On screen, in the card's first rows, without scrolling.
    expect(box.y - cardBox.y).toBeLessThan(200);
    expect(box.y + box.height).toBeLessThan(900);
    expect(await card.locator('dl.params dt').first().textContent()).toBe('amount');
    // The long value: its start, and a button that shows all of it on demand.
    const long = card.locator('dl.params dd', { hasText: 'xxxx' });
    expect((await long.textContent())!.length).toBeLessThan(400);
    expect((await card.boundingBox())!.height).toBeLessThan(900);
    await long.locator('button.expand', { hasText: 'show all 120002 characters' }).click();
    expect((await long.textContent())!.length).toBeGreaterThanOrEqual(120_000);
    // Bidi and invisible characters appear as marks; none reaches the page as such.
    expect(await card.locator('dl.params dd', { hasText: 'refund' }).textContent()).toBe('"refund⟦U+202E⟧drawkcab"');
    expect(await card.locator('dl.params').textContent()).toContain('k⟦U+200B⟧ey');
    expect(await card.locator('dl.params').textContent()).toContain('zero⟦U+2066⟧width');
    expect(await card.evaluate((node) => /[\u200b\u202e\u2066]/.test(node.textContent ?? ''))).toBe(false);
    await page.close();
    await client.close();
  }, 60_000);

  it('a used sign-in link is dead: opening it again shows the sign-in form', async () => {
    const link = env.server.signInUrl('acme');
    const first = await env.browser.newPage();
    await first.goto(link);
    await first.locator('#status', { hasText: 'live' }).waitFor({ timeout: 10_000 });
    const second = await env.browser.newPage();
    await second.goto(link);
    await second.locator('#error', { hasText: 'Sign-in refused' }).waitFor({ timeout: 10_000 });
    expect(await second.locator('#login').isVisible()).toBe(true);
    expect(second.url()).toBe(`${env.server.url}/`);
    await first.close();
    await second.close();
  }, 30_000);
});
