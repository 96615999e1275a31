import type { LocalServer } from '../server/app.js';

/** Where the CLI writes; tests pass their own. */
export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** What `haltstate --version` prints (the bin passes the package's version). */
  version?: string;
  /** The directory relative paths are read from and written to (default: the process's). */
  cwd?: string;
  /** Resolves when the dev server should stop (default: SIGINT or SIGTERM). */
  stopSignal?: Promise<void>;
  /** All of stdin, as text (default: the process's); `haltstate hash-key` reads a key from it. */
  stdin?: () => Promise<string>;
  /** Called with the running dev server (tests use it). */
  onServer?: (server: LocalServer) => void;
}

/**
 * The real terminal: stdout, stderr and the process's environment.
 *
 * @example
 * await main(process.argv.slice(2), { ...defaultIo(), version: '1.0.0' });
 */
export const defaultIo = (): CliIo => ({ out: (text) => process.stdout.write(`${text}\n`), err: (text) => process.stderr.write(`${text}\n`), env: process.env });

/**
 * A mistake on the command line: printed as `error: <message>`, exit code 1.
 *
 * @example
 * throw new CliError('--port must be a number from 0 to 65535');
 */
export class CliError extends Error {}
