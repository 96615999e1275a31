// Run by test/optional-tsyringe.test.ts (through run.cjs and run.mjs): uses the decorators with
// a client passed in, then without one, then registerHaltState, and records when tsyringe loads.
module.exports = async function steps({ core, decorators, loaded }) {
  const { HaltStateGuard, registerHaltState } = decorators;
  const loadedAtImport = loaded();
  const fetch = async (input) => {
    const path = new URL(new Request(input).url).pathname;
    return new Response(JSON.stringify(path.endsWith('/check') ? { decision: 'ALLOW' } : {}), { status: 200, headers: { 'content-type': 'application/json' } });
  };
  const client = new core.HaltStateClient({ tenantId: 'acme', apiKey: 'hs_optional_peer_key', baseUrl: 'https://haltstate.test', agentId: 'bot', retries: 0, fetch });

  class Payments {
    async pay(invoiceId) {
      return `paid ${invoiceId}`;
    }
    async refund(invoiceId) {
      return `refunded ${invoiceId}`;
    }
  }
  // What `@HaltStateGuard(…)` does, applied by hand (plain JavaScript has no decorators).
  for (const [key, options] of [['pay', { action: 'payment.process', client }], ['refund', { action: 'payment.refund' }]]) {
    const descriptor = Object.getOwnPropertyDescriptor(Payments.prototype, key);
    HaltStateGuard(options)(Payments.prototype, key, descriptor);
    Object.defineProperty(Payments.prototype, key, descriptor);
  }
  const payments = new Payments();
  const paid = await payments.pay('INV-1');
  const loadedAfterGuardedCall = loaded();
  const unregistered = await payments.refund('INV-1').then(() => 'ran', (error) => error.message);
  let registered;
  try {
    registered = registerHaltState(client) === client ? 'registered' : 'another client';
  } catch (error) {
    registered = `${error.name}: ${error.message}`;
  }
  await client.close();
  return { loadedAtImport, paid, loadedAfterGuardedCall, unregistered, registered, loadedAtEnd: loaded() };
};
