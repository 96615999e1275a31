import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { secretDigest } from '../server/secret-compare.js';
import { CliError, type CliIo } from './io.js';

/** The shortest approver key accepted: a person's key guards every payment they may approve. */
const MIN_KEY_LENGTH = 16;

/** All of the process's stdin, as text. */
async function readProcessStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * `haltstate hash-key`: the SHA-256 digest (hex) of an approver key read from stdin (its first
 * line), for `keySha256` in the policy or approvers file, so the file never holds the key.
 * `--new` makes a new random key and prints it with its digest, once. The key is never taken
 * as an argument (a command line is readable by every user of the machine).
 *
 * @example
 * hashKeyCommand(cli, io);
 * // $ haltstate hash-key --new
 * // $ haltstate hash-key < alice.key
 */
export function hashKeyCommand(cli: Command, io: CliIo): void {
  cli
    .command('hash-key')
    .description("print the SHA-256 digest of an approver key read from stdin (an approver's keySha256); --new makes a new key")
    .option('--new', 'make a new random approver key and print it with its digest (the key is shown this once)')
    .action(async (options: { new?: boolean }) => {
      if (options.new) {
        const key = `hs_approver_${randomBytes(24).toString('base64url')}`;
        io.out(`key:       ${key}`);
        io.out(`keySha256: ${secretDigest(key)}`);
        io.err('Give the key to its approver (it is not shown again); put keySha256 in the policy or approvers file.');
        return;
      }
      const key = ((await (io.stdin ?? readProcessStdin)()).split(/\r?\n/)[0] ?? '').trim();
      if (!key) throw new CliError('no key on stdin: pipe the approver key in (`haltstate hash-key < key-file`), or pass --new to make one');
      if (key.length < MIN_KEY_LENGTH) throw new CliError(`the key is shorter than ${MIN_KEY_LENGTH} characters; an approver key should be long and random (\`haltstate hash-key --new\` makes one)`);
      io.out(secretDigest(key));
    });
}
