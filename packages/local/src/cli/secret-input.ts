import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { CliError } from './io.js';

/** Where a key may come from, in the order tried: a flag's file, the environment, the flag itself. */
export interface SecretSources {
  /** What the user names it (`admin key`). */
  label: string;
  /** The `--…-key` flag (visible in the process list). */
  flag: string | undefined;
  flagName: string;
  /** The `--…-key-file` flag. */
  file: string | undefined;
  fileFlagName: string;
  /** The environment variable. */
  envValue: string | undefined;
  envName: string;
  /** Keys everyone knows already (the starter policy's): no warning for them on the command line. */
  published?: readonly string[];
}

/**
 * A key from a file (first line, trimmed), the environment, or a flag, in that order. A key given
 * on the command line works but earns a warning: every user of the machine can read it in the
 * process list (`/proc/<pid>/cmdline`, `ps`), unless it is a published one (the starter policy's
 * demo keys, which the quickstart types). Undefined when no source has one.
 *
 * @example
 * const adminKey = readSecret({ label: 'admin key', flag: options.adminKey, flagName: '--admin-key', file: options.adminKeyFile, fileFlagName: '--admin-key-file', envValue: env.HALTSTATE_ADMIN_KEY, envName: 'HALTSTATE_ADMIN_KEY' }, io.err, io.cwd);
 */
export function readSecret(sources: SecretSources, warn: (text: string) => void, cwd?: string): string | undefined {
  if (sources.file !== undefined) {
    const path = resolve(cwd ?? process.cwd(), sources.file);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new CliError(`cannot read the ${sources.label} from ${sources.fileFlagName} ${sources.file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    const key = text.split(/\r?\n/)[0]!.trim();
    if (!key) throw new CliError(`${sources.fileFlagName} ${sources.file} is empty: put the ${sources.label} on its first line`);
    warnIfShared(path, sources, warn);
    return key;
  }
  if (sources.flag !== undefined) {
    if (!sources.published?.includes(sources.flag)) warn(`warning: ${sources.flagName} puts the ${sources.label} in the process list, where any user of this machine can read it; prefer ${sources.envName} or ${sources.fileFlagName}`);
    return sources.flag;
  }
  return sources.envValue || undefined;
}

/** A secret's file that other users of the machine can read is a leaked secret waiting to happen. */
function warnIfShared(path: string, sources: SecretSources, warn: (text: string) => void): void {
  if (process.platform === 'win32') return;
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) warn(`warning: ${sources.fileFlagName} ${sources.file} can be read by other users of this machine (mode ${mode.toString(8)}): chmod 600 ${sources.file}`);
}
