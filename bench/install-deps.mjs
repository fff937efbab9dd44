// Installs the benchmark's own dependencies (the peer libraries) on first use, so a fresh
// clone can run `npm run bench` without a separate step.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
if (!existsSync(new URL('./node_modules/.package-lock.json', import.meta.url))) {
  process.stderr.write('Installing benchmark dependencies (npm --prefix bench ci)…\n');
  execSync('npm ci --no-audit --no-fund', { cwd: dir, stdio: 'inherit' });
}
