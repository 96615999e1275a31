import { join } from 'node:path';
import { globCovers, lintPolicy, parsePolicy, PolicyFileError, readPolicyFile, type PolicyInput } from '@haltstate/local';
import { errorOf, policyDir } from './helpers/policy-files';

const { dir, write } = policyDir('policy-lint-');

describe('globCovers', () => {
  it.each([
    ['*', 'anything', true],
    ['*', '*', true],
    ['payment.*', 'payment.refund', true],
    ['payment.*', 'payment.*', true],
    ['payment.*', 'payment.re*', true],
    ['pay*', 'payment.?', true],
    ['payment.?', 'payment.x', true],
    ['payment.?', 'payment.*', false],
    ['payment.*', '*', false],
    ['payment.*', 'refund.*', false],
    ['a*b', 'a*', false],
    ['a', 'a', true],
    ['a', 'b', false],
    ['*.drop', 'database.drop', true],
  ])('%s covers %s: %s', (broad, narrow, expected) => {
    expect(globCovers(broad, narrow)).toBe(expected);
  });
});

describe('lintPolicy', () => {
  const lint = (rules: PolicyInput['rules']) => lintPolicy(parsePolicy({ rules }));

  it('warns about a rule that an earlier rule with the same or a broader match and no when always decides first', () => {
    expect(
      lint([
        { id: 'payments', match: { action: 'payment.*' }, decision: 'APPROVAL_REQUIRED' },
        { id: 'small', match: { action: 'payment.process' }, when: { 'params.amount': { lte: 10 } }, decision: 'ALLOW' },
        { id: 'again', match: { action: 'payment.*' }, decision: 'DENY' },
        { id: 'bot-only', match: { action: 'payment.x', agent: 'bot-*' }, decision: 'DENY' },
      ]).map((warning) => [warning.code, warning.path]),
    ).toEqual([
      ['unreachable-rule', ['rules', 1]],
      ['unreachable-rule', ['rules', 2]],
      ['unreachable-rule', ['rules', 3]],
    ]);
  });

  it('does not warn when the earlier rule has a when, or a narrower match', () => {
    expect(
      lint([
        { id: 'small', match: { action: 'payment.*' }, when: { 'params.amount': { lte: 10 } }, decision: 'ALLOW' },
        { id: 'bots', match: { action: 'payment.*', agent: 'bot-*' }, decision: 'DENY' },
        { id: 'refunds', match: { action: 'payment.refund' }, decision: 'DENY' },
        { id: 'rest', decision: 'DENY' },
      ]),
    ).toEqual([]);
  });

  it('a catch-all rule hides every later one, and names both in the message', () => {
    const [warning] = lint([{ id: 'all', decision: 'DENY' }, { id: 'late', match: { action: 'x' }, decision: 'ALLOW' }]);
    expect(warning!.message).toMatch(/rules\[1\] \("late"\) can never match: rules\[0\] \("all"\) has the same or a broader match and no `when`/);
  });

  it('warns when gt/gte/lt/lte is given a number in quotes, not for real strings or numbers', () => {
    const warnings = lint([
      { id: 'q', when: { 'params.amount': { lte: '1000' }, 'params.b': { gt: ' 2.5 ' }, 'params.day': { gte: '2024-01-01' }, 'params.n': { lt: 5 } }, decision: 'ALLOW' },
    ]);
    expect(warnings.map((warning) => [warning.code, warning.path])).toEqual([
      ['string-bound', ['rules', 0, 'when', 'params.amount', 'lte']],
      ['string-bound', ['rules', 0, 'when', 'params.b', 'gt']],
    ]);
    expect(warnings[0]!.message).toMatch(/params\.amount lte is given the string "1000".*write 1000 without quotes/);
  });
});

describe('policy file code frames', () => {
  it('a warning points at its line with a caret', () => {
    const file = write('hidden.yaml', 'rules:\n  - id: all\n    decision: DENY\n  - id: late\n    match: { action: "x" }\n    decision: ALLOW\n');
    const { warnings } = readPolicyFile(file);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.text).toBe(
      [
        `${file}: rules[1] ("late") can never match: rules[0] ("all") has the same or a broader match and no \`when\`, so it always decides first (move this rule above it, or narrow that one)`,
        `  --> ${file}:4:5`,
        '  3 |     decision: DENY',
        '> 4 |   - id: late',
        '    |     ^^^^^^^^',
      ].join('\n'),
    );
  });

  it('a quoted number bound points at the value', () => {
    const line = '    { "id": "q", "decision": "ALLOW", "when": { "params.amount": { "lte": "1000" } } }';
    const file = write('quoted.json', `{\n  "rules": [\n${line}\n  ]\n}\n`);
    const [warning] = readPolicyFile(file).warnings;
    expect(warning!.text.split('\n').slice(-2)).toEqual([`> 3 | ${line}`, `    | ${' '.repeat(line.indexOf('"1000"'))}^^^^^^`]);
  });

  it('an error points at the bad value, and an unknown field at its key', () => {
    const bad = errorOf(() => readPolicyFile(write('bad.yaml', 'rules:\n  - id: typo\n    decision: ALLOWED\n')));
    expect(bad.issues).toEqual([expect.stringMatching(/^rules\[0\]\.decision: /)]);
    expect(bad.message).toContain([`  --> ${join(dir, 'bad.yaml')}:3:15`, '  2 |   - id: typo', '> 3 |     decision: ALLOWED', '    |               ^^^^^^^'].join('\n'));
    const unknown = errorOf(() => readPolicyFile(write('unknown.yaml', 'rules:\n  - id: a\n    decision: ALLOW\n    matches: {}\n')));
    expect(unknown.message).toContain('> 4 |     matches: {}\n    |     ^^^^^^^');
  });

  it('an error about a key never prints the key: its frame shows the first 6 characters of each', () => {
    const yaml = 'tenants:\n  - id: acme\n    apiKey: hs_local_acme_secret_1\n    adminKey: hs_admin_acme_secret_2\n  - id: globex\n    apiKey: hs_local_globex_secret_3\n    adminKey: hs_admin_acme_secret_2\n';
    const duplicate = errorOf(() => readPolicyFile(write('keys.yaml', yaml)));
    expect(duplicate.message).toContain('tenants[1].adminKey: adminKey is already used');
    expect(duplicate.message).toContain('> 7 |     adminKey: hs_adm****************');
    for (const secret of ['hs_admin_acme_secret_2', 'hs_local_globex_secret_3']) expect(duplicate.message).not.toContain(secret);
    const short = errorOf(() => readPolicyFile(write('short.json', '{\n  "tenants": [\n    { "id": "a", "apiKey": "hs_local_valid_1", "adminKey": "shortie" }\n  ]\n}\n')));
    expect(short.message).toContain('adminKey must be at least 8 characters');
    expect(short.message).not.toContain('hs_local_valid_1');
    expect(short.message).toContain('"apiKey": "hs_loc**********", "adminKey": "shorti*"');
    const broken = errorOf(() => readPolicyFile(write('broken.yaml', 'tenants:\n  - id: a\n    apiKey: hs_super_secret_key_123456: x\n')));
    expect(broken.message).toMatch(/not valid YAML/);
    expect(broken.message).not.toContain('hs_super_secret_key_123456');
  });

  it.each([
    ['empty', ''],
    ['only comments', '# nothing yet\n'],
  ])('an %s file is an error that says how to write a starter policy', (_, text) => {
    const file = write('empty.yaml', text);
    const error = errorOf(() => readPolicyFile(file));
    expect(error.message).toMatch(/the file is empty \(or only comments\).*npx --no-install haltstate init .*empty\.yaml --force/);
    expect(error.message).toContain(`  --> ${file}:1:1\n> 1 | ${text.split('\n')[0]}\n    | ^`);
  });

  it('a YAML syntax error keeps its snippet with the caret', () => {
    const error = errorOf(() => readPolicyFile(write('broken.yaml', 'rules:\n  - id: a\n    decision: [ALLOW\n')));
    expect(error.message).toMatch(/not valid YAML: .*line \d+, column \d+:\n\n.*\n\s*\^/s);
  });

  it('a JSON syntax error gets a frame when the parser names the position', () => {
    const error = errorOf(() => readPolicyFile(write('broken.json', '{\n  "rules": [,]\n}\n')));
    expect(error.message).toMatch(/not valid JSON/);
    expect(error.message).toContain('> 2 |   "rules": [,]\n    |             ^');
  });

  it('a missing file names the command that writes one', () => {
    expect(errorOf(() => readPolicyFile(join(dir, 'nope.yaml'))).message).toMatch(/file not found \(`npx --no-install haltstate init .*nope\.yaml` writes a starter policy there\)/);
  });
});
