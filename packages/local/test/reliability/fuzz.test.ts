// The local server under fuzzed input: bodies, queries and policy files never crash it and
// never produce a 500; every answer is a JSON { detail } or a success.
import fc from 'fast-check';
import { buildServer, parsePolicy, PolicyFileError, type BuiltServer } from '@haltstate/local';
import { POLICY, TENANTS } from '../helpers/server';

let built: BuiltServer;
beforeAll(() => {
  built = buildServer({ policy: POLICY });
});
afterAll(() => built.app.close());

const acme = TENANTS[0]!;
const POST_ROUTES = ['/action/check', '/action/report', '/action/guard', '/action/guard/report'];
const GET_ROUTES = ['/approval/x', '/approvals/since', '/heartbeat'];
const ADMIN = ['/local/approvals/x/approve', '/local/approvals/x/reject'];

it('fuzzed JSON bodies on every POST route: never a 5xx', async () => {
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...POST_ROUTES, ...ADMIN), fc.jsonValue({ maxDepth: 4 }), fc.boolean(), async (route, body, asAdmin) => {
      const url = route.startsWith('/local') ? route : `/api/sentinel${route}`;
      const headers = asAdmin || route.startsWith('/local') ? { authorization: `Bearer ${acme.adminKey}`, 'content-type': 'application/json' } : { 'x-api-key': acme.apiKey, 'content-type': 'application/json' };
      const response = await built.app.inject({ method: 'POST', url, headers, payload: JSON.stringify(body) });
      expect(response.statusCode).toBeLessThan(500);
      if (response.statusCode >= 400) expect(response.json()).toEqual({ detail: expect.any(String) });
    }),
    { numRuns: 400 },
  );
});

it('fuzzed raw bytes, content types and queries: never a 5xx', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...POST_ROUTES.map((route) => `/api/sentinel${route}`)),
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16'),
      async (url, payload, type) => {
        const response = await built.app.inject({ method: 'POST', url, headers: { 'x-api-key': acme.apiKey, 'content-type': type }, payload });
        expect(response.statusCode).toBeLessThan(500);
      },
    ),
    { numRuns: 300 },
  );
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...GET_ROUTES), fc.dictionary(fc.constantFrom('since', 'limit', 'tenant_id', 'agent_id', 'last_seen'), fc.string({ unit: 'binary', maxLength: 40 })), async (route, query) => {
      const response = await built.app.inject({ method: 'GET', url: `/api/sentinel${route}`, query, headers: { 'x-api-key': acme.apiKey } });
      expect(response.statusCode).toBeLessThan(500);
    }),
    { numRuns: 300 },
  );
});

it('fuzzed policy documents: a PolicyFileError naming where, or a valid policy, never anything else', () => {
  const ruleish = fc.record(
    {
      id: fc.oneof(fc.string(), fc.integer()),
      match: fc.oneof(fc.record({ action: fc.string(), agent: fc.string() }, { requiredKeys: [] }), fc.anything()),
      when: fc.oneof(fc.dictionary(fc.string(), fc.anything()), fc.dictionary(fc.constantFrom('params.a', 'agent_id', 'action'), fc.record({ gt: fc.anything(), in: fc.anything(), matches: fc.string() }, { requiredKeys: [] }))),
      decision: fc.oneof(fc.constantFrom('ALLOW', 'DENY', 'APPROVAL_REQUIRED'), fc.string()),
      approval: fc.oneof(fc.record({ ttl: fc.oneof(fc.constantFrom('15m', '1h', '2d'), fc.string()) }), fc.anything()),
    },
    { requiredKeys: [] },
  );
  fc.assert(
    fc.property(fc.oneof(fc.anything(), fc.record({ version: fc.anything(), default: fc.anything(), rules: fc.oneof(fc.array(ruleish, { maxLength: 4 }), fc.anything()), tenants: fc.anything() }, { requiredKeys: [] })), (input) => {
      try {
        parsePolicy(input, 'fuzz.yaml');
      } catch (error) {
        expect(error).toBeInstanceOf(PolicyFileError);
        expect((error as Error).message.startsWith('fuzz.yaml: ')).toBe(true);
      }
    }),
    { numRuns: 1000 },
  );
});
