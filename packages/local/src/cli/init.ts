import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { command } from '../hints.js';
import { CliError, type CliIo } from './io.js';
import { STARTER_TENANT, starterPolicy } from './starter-policy.js';

/**
 * `haltstate init [file] [--force]`: writes the commented starter policy, never over a file unless forced.
 *
 * @example
 * initCommand(cli, io);
 */
export function initCommand(cli: Command, io: CliIo): void {
  cli
    .command('init')
    .description('write a commented starter policy (then start the server with it)')
    .argument('[file]', 'where to write it', 'policy.yaml')
    .option('--force', 'overwrite the file if it exists')
    .action((file: string, options: { force?: boolean }) => {
      const start = command('dev', '--policy', file);
      const target = resolve(io.cwd ?? process.cwd(), file);
      mkdirSync(dirname(target), { recursive: true });
      try {
        // 'wx' fails if the file exists, atomically: no window in which another file appears.
        writeFileSync(target, starterPolicy(start), { flag: options.force ? 'w' : 'wx' });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new CliError(`${file} already exists; nothing was written. Start with it: ${start} (or overwrite it: ${command('init', file, '--force')})`);
        throw error;
      }
      io.out(`wrote ${file}: tenant ${STARTER_TENANT.id} (API key ${STARTER_TENANT.apiKey}, admin key ${STARTER_TENANT.adminKey}), default DENY, 4 rules`);
      io.out(`next: ${start}`);
    });
}
