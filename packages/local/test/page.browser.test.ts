// The approvals page in a real browser: Debian's chromium driven by playwright-core (no browser
// is downloaded; playwright gives it a fresh profile). .ci/run installs chromium; elsewhere the
// test is skipped, loudly, without it.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import type { LocalServer } from '@haltstate/local';
import { clientFor, startServer, TENANTS, uniqueKey } from './helpers/server';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available) {
  if (process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium for this test`);
  console.warn(`skipping the approvals page browser test: ${CHROMIUM} not found (apt-get install chromium)`);
}
const describeWithBrowser = available ? describe : describe.skip;

describeWithBrowser('approvals page (chromium)', () => {
  let server: LocalServer;
  let browser: Browser;
  beforeAll(async () => {
    server = await startServer();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('approving from the page lets the waiting guarded action run; params are shown as text', async () => {
    const client = clientFor(server);
    const runs = jest.fn(() => 'paid');
    const xss = '<img src=x onerror="window.__pwned=1">';
    const key = uniqueKey('page');
    const result = client.guard({ action: 'payment.process', params: { amount: 5000, note: xss }, metadata: { ticket: '<b>T-1</b>' }, idempotencyKey: key, wait: { timeoutMs: 20_000, pollIntervalMs: 60_000 } }, runs);
    result.catch(() => undefined); // awaited below; this only keeps a failed assertion from crashing the worker

    const page = await browser.newPage();
    const acme = TENANTS[0]!;
    await page.goto(`${server.url}/#tenant=${acme.id}&key=${encodeURIComponent(acme.adminKey)}`);
    const card = page.locator('#pending article', { hasText: 'payment.process' });
    await card.waitFor({ timeout: 10_000 });
    // The key left the address bar once read.
    expect(page.url()).not.toContain(acme.adminKey);
    expect(await card.locator('pre.params').textContent()).toContain(JSON.stringify(xss));
    expect(await card.locator('pre.metadata').textContent()).toContain('<b>T-1</b>');
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await card.locator('img, b').count()).toBe(0);
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
    const page = await browser.newPage();
    const acme = TENANTS[0]!;
    await page.goto(`${server.url}/#tenant=${acme.id}&key=${encodeURIComponent(acme.adminKey)}`);
    await page.locator('#status', { hasText: 'live' }).waitFor({ timeout: 10_000 });
    const decision = await clientFor(server).check('payment.refund', { params: { amount: 777 } });
    const card = page.locator(`#approval-${decision.approvalId}`);
    await card.waitFor({ timeout: 10_000 });
    await page.fill('#approver', 'page-approver');
    await card.getByRole('button', { name: 'Reject' }).click();
    await page.locator('#error', { hasText: 'needs a reason' }).waitFor();
    await card.locator('input.reason').fill('duplicate refund');
    await card.getByRole('button', { name: 'Reject' }).click();
    await page.locator(`#decided #approval-${decision.approvalId}`).waitFor({ timeout: 10_000 });
    expect(await clientFor(server).getApproval(decision.approvalId!)).toMatchObject({ status: 'rejected', reason: 'duplicate refund', approver: 'page-approver' });
    await page.close();
  }, 30_000);

  it('a wrong admin key shows the sign-in form', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/#tenant=acme&key=wrong-key`);
    await page.locator('#error', { hasText: 'refused' }).waitFor({ timeout: 10_000 });
    expect(await page.locator('#login').isVisible()).toBe(true);
    await page.close();
  }, 30_000);
});
