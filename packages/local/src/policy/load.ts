import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { policyFile, type Policy, type PolicyInput } from './schema.js';

/** A policy file that cannot be used; the message names the file, the rule index and the field. */
export class PolicyFileError extends Error {
  readonly file: string;
  readonly issues: readonly string[];
  constructor(file: string, issues: readonly string[]) {
    super(`${file}: ${issues.length === 1 ? issues[0] : `\n  ${issues.join('\n  ')}`}`);
    this.name = 'PolicyFileError';
    this.file = file;
    this.issues = issues;
  }
}

/** `rules[2].when.params.amount` from a zod path. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((text, part) => (typeof part === 'number' ? `${text}[${part}]` : text ? `${text}.${String(part)}` : String(part)), '');
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = formatPath(issue.path);
  const message =
    issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}` : issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? issue.message) : issue.message;
  return where ? `${where}: ${message}` : message;
}

// Marks a policy that was already validated, so passing it on does not parse it twice.
const VALIDATED = Symbol('haltstate.policy.validated');

/** Validates a policy object; `source` names it in errors. */
export function parsePolicy(input: unknown, source = 'policy'): Policy {
  if (typeof input === 'object' && input !== null && VALIDATED in input) return input as unknown as Policy;
  const parsed = policyFile.safeParse(input ?? {});
  if (!parsed.success) throw new PolicyFileError(source, parsed.error.issues.map(describeIssue));
  return Object.defineProperty(parsed.data, VALIDATED, { value: true, enumerable: false });
}

/** Reads and validates a YAML or JSON policy file. */
export function loadPolicyFile(file: string): Policy {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new PolicyFileError(file, [code === 'ENOENT' ? 'file not found (pass --policy <file>, e.g. examples/policy.yaml)' : `cannot read the file (${code ?? String(error)})`]);
  }
  let data: unknown;
  try {
    data = extname(file) === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new PolicyFileError(file, [`not valid ${extname(file) === '.json' ? 'JSON' : 'YAML'}: ${(error as Error).message.split('\n')[0]}`]);
  }
  return parsePolicy(data, file);
}

/** A policy from a file path, an object, or nothing (deny everything). */
export function resolvePolicy(policy: string | PolicyInput | Policy | undefined): Policy {
  // A validated Policy passes through parsePolicy untouched.
  if (typeof policy === 'string') return loadPolicyFile(policy);
  return parsePolicy(policy ?? {}, 'policy');
}
