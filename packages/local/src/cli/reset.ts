import type { Command } from 'commander';
import { resetDatabase } from '../server/store/reset.js';
import { CliError, type CliIo } from './io.js';

/**
 * `haltstate reset --yes`: empties a dev database; without --yes it changes nothing.
 *
 * @example
 * resetCommand(cli, io);
 */
export function resetCommand(cli: Command, io: CliIo): void {
  cli
    .command('reset')
    .description('clear a dev database: every approval, guard state, report, agent status and the audit trail')
    .option('--db <file>', 'SQLite file to clear', '.haltstate/local.db')
    .option('--yes', 'really clear it (without it, nothing is changed)')
    .action((options: { db: string; yes?: boolean }) => {
      if (options.db === ':memory:') throw new CliError('--db :memory: keeps nothing; there is nothing to reset');
      if (!options.yes) throw new CliError(`reset deletes every approval, guard state, report, agent status and the audit trail in ${options.db}; run it again with --yes to do that`);
      io.out(resetDatabase(options.db) === 'cleared' ? `cleared ${options.db}` : `nothing to reset: ${options.db} does not exist`);
    });
}
