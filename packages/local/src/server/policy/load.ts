import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { command } from '../../hints.js';
import { codeFrame, maskSecrets, sourceMap, type SourceMap } from './code-frame.js';
import { lintPolicy, type PolicyWarning } from './lint.js';
import { policyFile, type Policy, type PolicyInput } from './schema.js';

/**
 * A policy file that cannot be used. `issues` are one line each (the rule index and the field);
 * the message adds, for a file, a code frame under each (line and caret).
 */
export class PolicyFileError extends Error {
  readonly file: string;
  readonly issues: readonly string[];
  constructor(file: string, issues: readonly string[], frames: ReadonlyArray<string | undefined> = []) {
    const described = issues.map((issue, index) => (frames[index] ? `${issue}\n${frames[index]}` : issue));
    super(`${file}: ${described.length === 1 ? described[0] : `\n  ${described.join('\n  ')}`}`);
    this.name = 'PolicyFileError';
    this.file = file;
    this.issues = issues;
  }
}

/** A warning about a policy file, with its code frame. */
export interface PolicyFileWarning extends PolicyWarning {
  /** `file: message`, then the code frame: what `haltstate dev` prints. */
  text: string;
}

/** `rules[2].when.params.amount` from a zod path. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((text, part) => (typeof part === 'number' ? `${text}[${part}]` : text ? `${text}.${String(part)}` : String(part)), '');
}

interface Problem {
  text: string;
  path: ReadonlyArray<PropertyKey>;
  /** An unknown key to point at, rather than its object. */
  key?: string;
}

function describeIssue(issue: z.core.$ZodIssue): Problem {
  const where = formatPath(issue.path);
  const message =
    issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}` : issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? issue.message) : issue.message;
  return { text: where ? `${where}: ${message}` : message, path: issue.path, ...(issue.code === 'unrecognized_keys' ? { key: issue.keys[0] } : {}) };
}

// Marks a policy that was already validated, so passing it on does not parse it twice.
const VALIDATED = Symbol('haltstate.policy.validated');

/**
 * A {@link PolicyFileError} for zod's issues about `source`, each located (with a code frame
 * when `map` has the text). Also used for the approvers file.
 *
 * @example
 * if (!parsed.success) throw issuesError(parsed.error.issues, file, map);
 */
export function issuesError(issues: readonly z.core.$ZodIssue[], source: string, map?: SourceMap): PolicyFileError {
  const problems = issues.map(describeIssue);
  return new PolicyFileError(source, problems.map((problem) => problem.text), problems.map((problem) => map?.frame(problem.path, problem.key)));
}

function validate(input: unknown, source: string, map?: SourceMap): Policy {
  if (typeof input === 'object' && input !== null && VALIDATED in input) return input as unknown as Policy;
  const parsed = policyFile.safeParse(input ?? {});
  if (!parsed.success) throw issuesError(parsed.error.issues, source, map);
  return Object.defineProperty(parsed.data, VALIDATED, { value: true, enumerable: false });
}

/** Validates a policy object; `source` names it in errors. */
export function parsePolicy(input: unknown, source = 'policy'): Policy {
  return validate(input, source);
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new PolicyFileError(file, [code === 'ENOENT' ? `file not found (\`${command('init', file)}\` writes a starter policy there)` : `cannot read the file (${code ?? String(error)})`]);
  }
}

function parseText(file: string, text: string): unknown {
  if (extname(file) === '.json') {
    try {
      return JSON.parse(text);
    } catch (error) {
      // Node names no position for most JSON errors: JSON is YAML, so yaml's parser finds it.
      const message = (error as Error).message.replace(/, ".*" is not valid JSON$/s, '').replace(/\s+/g, ' ');
      const position = parseDocument(text).errors[0]?.pos[0] ?? Number(/position (\d+)/.exec(message)?.[1] ?? NaN);
      throw new PolicyFileError(file, [`not valid JSON: ${message}`], [Number.isNaN(position) ? undefined : codeFrame(file, text, position)]);
    }
  }
  const document = parseDocument(text);
  // yaml's own message keeps its snippet: the line and a caret under the problem (a key in it masked).
  if (document.errors.length > 0) throw new PolicyFileError(file, [`not valid YAML: ${document.errors[0]!.message.trimEnd().split('\n').map(maskSecrets).join('\n')}`]);
  return document.toJS();
}

/**
 * A YAML or JSON file's data and a {@link SourceMap} of its text (for located errors); an
 * unreadable file or bad syntax is a {@link PolicyFileError}. `undefined` data: an empty file.
 *
 * @example
 * const { data, map } = readDataFile('approvers.yaml');
 */
export function readDataFile(file: string): { data: unknown; map: SourceMap } {
  const text = readText(file);
  return { data: parseText(file, text), map: sourceMap(file, text) };
}

/**
 * Reads and validates a YAML or JSON policy file, and lints it ({@link lintPolicy}). Errors (an
 * empty file, bad YAML, a bad field) throw a {@link PolicyFileError} with code frames; warnings
 * come back with theirs.
 *
 * @example
 * const { policy, warnings } = readPolicyFile('policy.yaml');
 * for (const warning of warnings) console.warn(`warning: ${warning.text}`);
 */
export function readPolicyFile(file: string): { policy: Policy; warnings: PolicyFileWarning[] } {
  const text = readText(file);
  const data = parseText(file, text);
  if (data === null || data === undefined) {
    throw new PolicyFileError(file, [`the file is empty (or only comments), so it has no rules: \`${command('init', file, '--force')}\` writes a starter policy over it`], [codeFrame(file, text, 0)]);
  }
  const map = sourceMap(file, text);
  const policy = validate(data, file, map);
  const warnings = lintPolicy(policy).map((warning) => {
    const frame = map.frame(warning.path);
    return { ...warning, text: `${file}: ${warning.message}${frame ? `\n${frame}` : ''}` };
  });
  return { policy, warnings };
}

/** Reads and validates a YAML or JSON policy file (warnings aside: see {@link readPolicyFile}). */
export function loadPolicyFile(file: string): Policy {
  return readPolicyFile(file).policy;
}

/** A policy from a file path, an object, or nothing (deny everything). */
export function resolvePolicy(policy: string | PolicyInput | Policy | undefined): Policy {
  // A validated Policy passes through parsePolicy untouched.
  if (typeof policy === 'string') return loadPolicyFile(policy);
  return parsePolicy(policy ?? {}, 'policy');
}
