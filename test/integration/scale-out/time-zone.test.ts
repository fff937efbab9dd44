import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';
import { within } from '../../helpers/wait.js';

const DIALECT_TESTS = fileURLToPath(new URL('./dialect-operations.test.js', import.meta.url));

// The runner's times come from the database clock and are stored as UTC text or timestamptz,
// so a host whose process time zone is not UTC must see the same values as a UTC one, both
// through the runner and through its own EntityManager.
it('dialect operations pass in a process whose time zone is not UTC', async () => {
  // Without NODE_TEST_CONTEXT the child runs as a test run of its own rather than a sub-run.
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  const child = spawn(process.execPath, ['--test', DIALECT_TESTS], { env: { ...env, TZ: 'America/New_York' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const code = await within(new Promise<number | null>((resolve) => child.once('exit', resolve)), 120_000, 'the dialect tests under TZ=America/New_York');
  assert.equal(code, 0, out.slice(-3000));
  assert.match(out, /ℹ fail 0/);
  assert.doesNotMatch(out, /ℹ pass 0\b/);
});
