// Policy-file test helpers: a scratch folder to write files in, and the PolicyFileError a call throws.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PolicyFileError } from '@haltstate/local';

/** A fresh temp folder named after `prefix`, and a writer of files into it. */
export function policyDir(prefix: string): { dir: string; write: (name: string, text: string) => string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const write = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };
  return { dir, write };
}

/** The PolicyFileError that `fn` throws; fails the test when it throws nothing or something else. */
export function errorOf(fn: () => unknown): PolicyFileError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyFileError);
    return error as PolicyFileError;
  }
  throw new Error('expected a PolicyFileError');
}
