// The built package with a real OpenTelemetry SDK: the ESM build loads the API with import(),
// the CommonJS build with require(); both record to the one provider the app registered.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..');

it('the ESM and the CommonJS build trace into the same provider, and send the trace on', () => {
  if (!existsSync(join(root, 'dist/esm/index.js'))) throw new Error('packages/core/dist is missing: run `npm run build` first (npm test does)');
  const out = execFileSync(process.execPath, [join(__dirname, 'fixtures/otel-both-builds.mjs')], { cwd: root, encoding: 'utf8' });
  expect(JSON.parse(out)).toEqual({
    checks: [
      { action: 'esm.check', child: true },
      { action: 'cjs.check', child: true },
    ],
    sameTrace: [true, true],
  });
});
