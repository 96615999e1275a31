import { Command, CommanderError } from 'commander';
import { AdminError } from './admin-client.js';
import { PolicyFileError } from '../server/policy/load.js';
import { ResetError } from '../server/store/reset.js';
import { approverCommands } from './approver.js';
import { devCommand } from './dev.js';
import { hashKeyCommand } from './hash-key.js';
import { initCommand } from './init.js';
import { CliError, defaultIo, type CliIo } from './io.js';
import { resetCommand } from './reset.js';
import { serveCommand } from './serve.js';
import { visibleText } from './terminal-text.js';

export { defaultIo } from './io.js';
export type { CliIo } from './io.js';

/**
 * Exit codes: 0 done, 1 a failed command, 2 a policy file that cannot be used.
 *
 * @example
 * if ((await main(['dev', '--policy', 'policy.yaml'])) === EXIT.badPolicy) console.error('fix the policy');
 */
export const EXIT = { ok: 0, failed: 1, badPolicy: 2 } as const;

/** The io with every line it prints made terminal-safe (control, bidi and invisible characters escaped). */
const terminalSafe = (io: CliIo): CliIo => ({ ...io, out: (text) => io.out(visibleText(text)), err: (text) => io.err(visibleText(text)) });

/**
 * Builds the `haltstate` program.
 *
 * @example
 * await program(defaultIo()).parseAsync(['approvals'], { from: 'user' });
 */
export function program(io: CliIo): Command {
  io = terminalSafe(io);
  const cli = new Command('haltstate')
    .description('A local HaltState server and the commands a human approver uses')
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.out(text.trimEnd()), writeErr: (text) => io.err(text.trimEnd()) })
    .showHelpAfterError();
  if (io.version !== undefined) cli.version(io.version, '-V, --version', 'print the version of @haltstate/local');
  initCommand(cli, io);
  devCommand(cli, io);
  serveCommand(cli, io);
  resetCommand(cli, io);
  approverCommands(cli, io);
  hashKeyCommand(cli, io);
  return cli;
}

/**
 * Runs the CLI; resolves with the exit code ({@link EXIT}).
 *
 * @example
 * process.exitCode = await main(process.argv.slice(2));
 */
export async function main(argv: readonly string[], io: CliIo = defaultIo()): Promise<number> {
  io = terminalSafe(io);
  try {
    await program(io).parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof PolicyFileError) {
      io.err(`error: ${error.message}`);
      return EXIT.badPolicy;
    }
    if (error instanceof CliError || error instanceof ResetError) io.err(`error: ${error.message}`);
    else if (error instanceof AdminError) io.err(`error: ${error.status === 404 ? `${error.message} (check the approval id and --tenant)` : error.message}`);
    else io.err(`error: ${(error as Error).message ?? String(error)}`);
    return EXIT.failed;
  }
}
