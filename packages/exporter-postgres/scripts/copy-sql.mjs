// Ships the repository's migrations inside the package, so `migrate()` finds them once installed.
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const from = join(packageDir, '..', '..', 'sql');
const to = join(packageDir, 'sql');
rmSync(to, { recursive: true, force: true });
mkdirSync(to);
const files = readdirSync(from).filter((name) => name.endsWith('.sql'));
for (const name of files) copyFileSync(join(from, name), join(to, name));
console.log(`copied ${files.length} migrations into ${to.slice(packageDir.length + 1)}/`);
