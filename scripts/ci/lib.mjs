// Small helpers shared by the CI matrix scripts: run a command (inherit its output, fail with its
// exit code), time a step, make and clean temp dirs, install registry packages into a tool dir.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root (this file is scripts/ci/lib.mjs). */
export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A step failed: the message names the command and its exit code. */
export class StepError extends Error {}

/**
 * Runs a command; its output goes to ours unless `capture` is set (then stdout is returned).
 * Throws StepError on a non-zero exit, or when it outlives `timeoutMs` (a hung step must not
 * eat CI's 90 minutes).
 *
 * @example
 * run('npm', ['pack', '--json'], { cwd: root, capture: true });
 */
export function run(command, args, { cwd = root, env = process.env, capture = false, timeoutMs = 20 * 60_000 } = {}) {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', stdio: capture ? ['ignore', 'pipe', 'inherit'] : 'inherit', maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs, killSignal: 'SIGKILL' });
  if (result.error) throw new StepError(`${command} ${args.join(' ')}: ${result.error.message}`);
  if (result.status !== 0) throw new StepError(`${command} ${args.join(' ')} (in ${cwd}) exited with ${result.status ?? result.signal}`);
  return capture ? result.stdout : '';
}

/**
 * Like run, without blocking this process's event loop: for commands that talk to a server this
 * process runs. Resolves on exit 0, rejects with StepError otherwise (or after `timeoutMs`).
 *
 * @example
 * await runAsync('node', ['--test', 'app.test.js'], { env: { ...process.env, HS_URL: server.url } });
 */
export function runAsync(command, args, { cwd = root, env = process.env, timeoutMs = 20 * 60_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: 'inherit' });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new StepError(`${command} ${args.join(' ')}: ${error.message}`));
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new StepError(`${command} ${args.join(' ')} (in ${cwd}) exited with ${code ?? signal}`));
    });
  });
}

/**
 * Like run, but returns { status, stdout, stderr } instead of throwing: for commands whose
 * failure is the thing being checked.
 *
 * @example
 * const { status, stdout } = attempt('node', ['tsc', '-p', 'x.json']);
 */
export function attempt(command, args, { cwd = root, env = process.env } = {}) {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: result.status ?? 1, stdout: result.stdout ?? '', stderr: result.stderr ?? '', error: result.error };
}

/** Seconds since `start` (from performance.now()), one decimal. */
export const secondsSince = (start) => ((performance.now() - start) / 1000).toFixed(1);

/**
 * A fresh temp dir, removed at exit unless KEEP_CI_TMP is set (to look at a failed run).
 *
 * @example
 * const dir = tempDir('nest-12');
 */
export function tempDir(name) {
  const dir = mkdtempSync(join(process.env.CI_TMP ?? tmpdir(), `haltstate-${name}-`));
  if (!process.env.KEEP_CI_TMP) process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * npm-installs registry packages into `dir` (no package.json or lockfile written there) and
 * returns the dir. Only the npm registry is used, as everywhere in CI.
 *
 * @example
 * installInto(tempDir('ts6'), ['typescript@6']);
 */
export function installInto(dir, specs) {
  run('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel', 'error', '--prefix', dir, ...specs], { cwd: dir });
  return dir;
}

/** Prints a section title that stands out in a long CI log. */
export const section = (title) => console.log(`\n=== ${title} ===`);
