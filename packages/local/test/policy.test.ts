import { join } from 'node:path';
import { evaluate, loadPolicyFile, parsePolicy, PolicyFileError, type PolicyInput } from '@haltstate/local';
import { errorOf, policyDir } from './helpers/policy-files';

const policyOf = (rules: PolicyInput['rules'], extra: Partial<PolicyInput> = {}) => parsePolicy({ version: 1, rules, ...extra });
const request = (action: string, params: Record<string, unknown> = {}, agentId = 'bot') => ({ action, params, agentId });

describe('policy evaluation', () => {
  it('tries rules in order, first match wins, globs on action and agent', () => {
    const policy = policyOf([
      { id: 'a', match: { action: 'payment.*', agent: 'pay-bot*' }, decision: 'ALLOW' },
      { id: 'b', match: { action: 'payment.*' }, decision: 'APPROVAL_REQUIRED', approval: { ttl: '15m' } },
      { id: 'c', decision: 'DENY', reason: 'everything else' },
    ]);
    expect(evaluate(policy, request('payment.send', {}, 'pay-bot-2'))).toMatchObject({ decision: 'ALLOW', policyId: 'a' });
    expect(evaluate(policy, request('payment.send', {}, 'other'))).toMatchObject({ decision: 'APPROVAL_REQUIRED', policyId: 'b', ttlMs: 900_000 });
    expect(evaluate(policy, request('paymentXsend'))).toMatchObject({ decision: 'DENY', policyId: 'c', reason: 'everything else' });
  });

  it('falls back to the default, DENY when absent, with a null policy id', () => {
    expect(evaluate(policyOf([]), request('x'))).toMatchObject({ decision: 'DENY', policyId: null });
    expect(evaluate(policyOf([], { default: 'ALLOW' }), request('x'))).toMatchObject({ decision: 'ALLOW', policyId: null });
  });

  it.each([
    [{ eq: 5 }, 5, true], [{ eq: 5 }, '5', false], [5, 5, true], [{ ne: 5 }, 6, true],
    [{ gt: 5 }, 6, true], [{ gt: 5 }, 5, false], [{ gte: 5 }, 5, true], [{ lt: 5 }, 4, true], [{ lte: 5 }, 6, false],
    [{ gt: 5 }, '6', false], [{ lt: 'm' }, 'a', true],
    // UTF-16 code units, never the locale: 'B' (0x42) < 'a' (0x61), 'é' (0xE9) > 'z' (0x7A).
    [{ gt: 'B' }, 'a', true], [{ lt: 'a' }, 'B', true], [{ gt: 'z' }, 'é', true], [{ lte: 'a' }, 'a', true], [{ gte: 'ab' }, 'a', false],
    [{ in: ['USD', 'EUR'] }, 'EUR', true], [{ in: ['USD'] }, 'GBP', false], [{ notIn: ['GBP'] }, 'USD', true],
    [{ matches: '^ops-' }, 'ops-1', true], [{ matches: '^ops-' }, 42, false],
    [{ exists: true }, 0, true], [{ gte: 1, lte: 10 }, 10, true], [{ gte: 1, lte: 10 }, 11, false],
    [{ eq: { a: [1] } }, { a: [1] }, true],
  ])('condition %j on %j → %s', (condition, value, expected) => {
    const policy = policyOf([{ id: 'r', when: { 'params.v': condition }, decision: 'ALLOW' }]);
    expect(evaluate(policy, request('x', { v: value })).decision).toBe(expected ? 'ALLOW' : 'DENY');
  });

  it('a missing path fails every operator but exists: false', () => {
    const run = (condition: unknown) => evaluate(policyOf([{ id: 'r', when: { 'params.a.b': condition }, decision: 'ALLOW' }]), request('x', { a: {} })).decision;
    expect(run({ exists: false })).toBe('ALLOW');
    for (const condition of [{ exists: true }, { ne: 1 }, { notIn: [1] }, { lt: 5 }, null]) expect(run(condition)).toBe('DENY');
  });

  it('reads nested params, agent_id and action, and not inherited properties', () => {
    const policy = policyOf([{ id: 'r', when: { 'params.user.role': 'admin', agent_id: { matches: '^ops' }, action: 'user.delete' }, decision: 'ALLOW' }]);
    expect(evaluate(policy, request('user.delete', { user: { role: 'admin' } }, 'ops-1')).decision).toBe('ALLOW');
    expect(evaluate(policy, request('user.delete', { user: { role: 'admin' } }, 'dev-1')).decision).toBe('DENY');
    const proto = policyOf([{ id: 'r', when: { 'params.toString': { exists: true } }, decision: 'ALLOW' }]);
    expect(evaluate(proto, request('x', {})).decision).toBe('DENY');
  });
});

describe('policy file errors', () => {
  const { dir, write } = policyDir('policy-');

  it('loads YAML and JSON', () => {
    const yaml = write('p.yaml', 'rules:\n  - id: r\n    match: { action: "a.*" }\n    decision: ALLOW\n');
    const json = write('p.json', JSON.stringify({ rules: [{ id: 'r', decision: 'DENY' }] }));
    expect(loadPolicyFile(yaml).rules[0]).toMatchObject({ id: 'r', decision: 'ALLOW' });
    expect(loadPolicyFile(json).rules[0]).toMatchObject({ decision: 'DENY' });
  });

  it('names the file, the rule index and the field', () => {
    const file = write('bad.yaml', 'rules:\n  - id: ok\n    decision: ALLOW\n  - id: typo\n    decision: ALLOWED\n');
    const error = errorOf(() => loadPolicyFile(file));
    expect(error.message).toContain(file);
    expect(error.message).toMatch(/rules\[1\]\.decision/);
  });

  it.each([
    ['an unknown rule field', { rules: [{ decision: 'ALLOW', matches: {} }] }, /rules\[0\]: unknown field\(s\) matches/],
    ['an unknown operator', { rules: [{ decision: 'ALLOW', when: { 'params.a': { gt: 1, gratr: 2 } } }] }, /rules\[0\]\.when\.params\.a: unknown operator\(s\) gratr/],
    ['a bad regex', { rules: [{ decision: 'ALLOW', when: { 'params.a': { matches: '(' } } }] }, /rules\[0\]\.when\.params\.a\.matches: is not a valid RE2 regular expression \(missing closing \)/],
    ['a bad path', { rules: [{ decision: 'ALLOW', when: { amount: 1 } }] }, /rules\[0\]\.when\.amount: a condition path is/],
    ['a bad ttl', { rules: [{ decision: 'APPROVAL_REQUIRED', approval: { ttl: '15 minutes' } }] }, /rules\[0\]\.approval\.ttl: ttl is a number/],
    ['duplicate rule ids', { rules: [{ id: 'x', decision: 'ALLOW' }, { id: 'x', decision: 'DENY' }] }, /rules\[1\]\.id: duplicate rule id "x"/],
    ['a short tenant key', { tenants: [{ id: 't', apiKey: 'k', adminKey: 'hs_admin_long' }] }, /tenants\[0\]\.apiKey: apiKey must be at least 8/],
    ['a wrong version', { version: 2 }, /version/],
  ])('%s', (_, input, message) => {
    expect(errorOf(() => parsePolicy(input, 'inline.yaml')).message).toMatch(message);
  });

  it('says so when the file is missing or not YAML', () => {
    expect(errorOf(() => loadPolicyFile(join(dir, 'nope.yaml'))).message).toMatch(/nope\.yaml: file not found/);
    expect(errorOf(() => loadPolicyFile(write('broken.yaml', 'rules: [\n'))).message).toMatch(/broken\.yaml: not valid YAML/);
  });
});
