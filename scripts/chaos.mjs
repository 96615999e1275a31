// npm run test:chaos [-- --seed N --count N]: the long seeded fault-injection run.
// Environment works too: CHAOS_SEED, CHAOS_COUNT.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const argv = process.argv.slice(2);
const flag = (name) => {
  const index = argv.indexOf(`--${name}`);
  return index === -1 ? undefined : argv[index + 1];
};
const seed = flag('seed') ?? process.env.CHAOS_SEED ?? String(Date.now() % 2 ** 31);
const count = flag('count') ?? process.env.CHAOS_COUNT ?? '3000';
console.log(`chaos run: seed ${seed}, ${count} calls (replay with: npm run test:chaos -- --seed ${seed} --count ${count})`);
const jest = createRequire(import.meta.url).resolve('jest/bin/jest');
const result = spawnSync(process.execPath, ['--expose-gc', jest, '--selectProjects', 'local', '--testPathPatterns', 'reliability/chaos', '--verbose'], {
  stdio: 'inherit',
  env: { ...process.env, CHAOS_SEED: seed, CHAOS_COUNT: count },
});
process.exitCode = result.status ?? 1;
