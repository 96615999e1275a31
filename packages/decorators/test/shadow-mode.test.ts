// @HaltStateGuard({ mode }) passes the mode to each call: in shadow a denied method still runs,
// and its report says shadow; a mode that is not enforce/shadow is refused on the first call.
import nock from 'nock';
import { HaltStateClient } from '@haltstate/core';
import { HaltStateGuard } from '@haltstate/decorators';
import { testKey } from '@test-support/keys';
import { setupNock } from '@test-support/nock';

const BASE = 'https://haltstate.test';
const KEY = testKey('decorators');
const json = { 'content-type': 'application/json' };
const client = new HaltStateClient({ tenantId: 'acme', apiKey: KEY, baseUrl: BASE, agentId: 'bot', retries: 0, onReportError: () => undefined });
const api = () => nock(BASE).matchHeader('x-api-key', KEY);

setupNock();

class Mailer {
  sent: string[] = [];

  @HaltStateGuard({ action: 'email.send', client, mode: 'shadow' })
  async send(to: string) {
    this.sent.push(to);
    return 'sent';
  }

  @HaltStateGuard({ action: 'email.wipe', client, mode: 'shadwo' as never })
  async wipe() {
    this.sent = [];
  }
}

describe('@HaltStateGuard({ mode })', () => {
  it('shadow: a denied method runs, and the report is marked shadow', async () => {
    let report: Record<string, unknown> = {};
    api().post('/api/sentinel/action/check').reply(200, { decision: 'DENY', reason: 'no' }, json);
    api().post('/api/sentinel/action/report', (body) => ((report = body), true)).reply(200, {}, json);
    const mailer = new Mailer();
    await expect(mailer.send('a@b.example')).resolves.toBe('sent');
    await client.flush();
    expect(mailer.sent).toEqual(['a@b.example']);
    expect(report).toMatchObject({ decision: 'DENY', status: 'success', result: { value: 'sent', shadow: true } });
  });

  it('a typo in mode is a validation error and the method does not run', async () => {
    const mailer = new Mailer();
    mailer.sent = ['kept'];
    await expect(mailer.wipe()).rejects.toMatchObject({ name: 'HaltStateValidationError', path: 'mode' });
    expect(mailer.sent).toEqual(['kept']);
  });
});
