// Property-based tests: whatever the input, only typed errors, no request for invalid input,
// no crash, no prototype pollution.
import fc from 'fast-check';
import { HaltStateClient, HaltStateValidationError, isHaltStateError } from '@haltstate/core';
import { KEY } from './helpers/api';

function recordingClient() {
  const bodies: unknown[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    bodies.push(await request.json());
    const path = new URL(request.url).pathname;
    const answer = path.endsWith('/action/guard') ? { status: 'allowed' } : path.endsWith('/action/check') ? { decision: 'ALLOW' } : {};
    return new Response(JSON.stringify(answer), { status: 200, headers: { 'content-type': 'application/json' } });
  };
  const client = new HaltStateClient({ tenantId: 'acme', apiKey: KEY, baseUrl: 'https://haltstate.test', retries: 0, fetch, onReportError: () => undefined });
  return { client, bodies };
}

const pollutionKeys = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty');
const key = fc.oneof(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }), pollutionKeys);
const leaf = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 50 }),
  fc.string({ minLength: 10_000, maxLength: 100_000 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.bigInt(),
  fc.date({ noInvalidDate: false }),
  fc.constant(() => 1),
  fc.constant(Symbol('s')),
  fc.constant(new Map([[1, 2]])),
);
const { tree } = fc.letrec<{ tree: unknown; node: unknown }>((tie) => ({
  tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('node')),
  node: fc.oneof(fc.dictionary(key, tie('tree'), { maxKeys: 5 }), fc.array(tie('tree'), { maxLength: 5 })),
}));
const params = fc.dictionary(key, tree, { maxKeys: 6 });

const deep = (depth: number): Record<string, unknown> => (depth === 0 ? { leaf: true } : { next: deep(depth - 1) });

describe('check() and guard() over arbitrary input', () => {
  afterEach(() => {
    // Nothing may ever leak onto Object.prototype.
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect(({} as Record<string, unknown>).leaf).toBeUndefined();
  });

  it('check: a typed validation error and no request, or exactly one request with JSON params', async () => {
    await fc.assert(
      fc.asyncProperty(params, fc.string({ unit: 'grapheme', maxLength: 40 }), async (input, action) => {
        const { client, bodies } = recordingClient();
        try {
          await client.check({ action, params: input as Record<string, unknown> });
          expect(bodies).toHaveLength(1);
          const sent = bodies[0] as { params: Record<string, unknown>; action: string };
          expect(sent.action).toBe(action);
          expect(typeof sent.params).toBe('object');
        } catch (error) {
          expect(error).toBeInstanceOf(HaltStateValidationError);
          expect(bodies).toHaveLength(0);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('guard: the function runs only after an allowed answer; invalid input never reaches the wire', async () => {
    await fc.assert(
      fc.asyncProperty(params, fc.option(fc.string({ unit: 'binary', maxLength: 600 })), async (input, idempotencyKey) => {
        const { client, bodies } = recordingClient();
        let ran = 0;
        try {
          await client.guard({ action: 'a.b', params: input as Record<string, unknown>, ...(idempotencyKey === null ? {} : { idempotencyKey }) }, () => ran++);
          expect(ran).toBe(1);
          expect(bodies.length).toBeGreaterThanOrEqual(1);
        } catch (error) {
          expect(isHaltStateError(error)).toBe(true);
          expect(ran).toBe(0);
          if (error instanceof HaltStateValidationError) expect(bodies).toHaveLength(0);
        }
        await client.close({ timeoutMs: 100 });
      }),
      { numRuns: 200 },
    );
  });

  it('keeps __proto__ and friends as ordinary keys on the wire', async () => {
    const { client, bodies } = recordingClient();
    const input = JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"ok":1}');
    await client.check({ action: 'a.b', params: input });
    expect(bodies[0]).toEqual({ agent_id: 'default', action: 'a.b', params: JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"ok":1}') });
  });

  it('survives deep nesting and huge strings, and refuses cycles deep down', async () => {
    const { client, bodies } = recordingClient();
    await client.check({ action: 'a.b', params: { deep: deep(2000), huge: 'x'.repeat(200_000) } });
    expect(bodies).toHaveLength(1);
    // Over the body limit (256 KiB): refused before the wire.
    await expect(client.check({ action: 'a.b', params: { huge: 'x'.repeat(500_000) } })).rejects.toMatchObject({ name: 'HaltStateValidationError', path: 'params' });
    expect(bodies).toHaveLength(1);
    const cyclic: Record<string, unknown> = deep(50);
    let cursor = cyclic;
    while (cursor.next) cursor = cursor.next as Record<string, unknown>;
    cursor.back = cyclic;
    await expect(client.check({ action: 'a.b', params: { cyclic } })).rejects.toMatchObject({ name: 'HaltStateValidationError', path: expect.stringMatching(/^params\.cyclic(\.next)+\.back$/) });
    expect(bodies).toHaveLength(1);
  });

  it('client options: only typed validation errors, whatever is passed', () => {
    fc.assert(
      fc.property(fc.record({ tenantId: fc.anything(), apiKey: fc.anything(), baseUrl: fc.anything(), timeoutMs: fc.anything(), retries: fc.anything(), namespace: fc.anything() }, { requiredKeys: [] }), (options) => {
        try {
          new HaltStateClient(options as never);
        } catch (error) {
          expect(error).toBeInstanceOf(HaltStateValidationError);
          const apiKey = (options as { apiKey?: unknown }).apiKey;
          // A key (a string of some length) never appears in the message.
          if (typeof apiKey === 'string' && apiKey.trim().length >= 4) expect((error as Error).message).not.toContain(apiKey);
        }
      }),
      { numRuns: 500 },
    );
  });
});
