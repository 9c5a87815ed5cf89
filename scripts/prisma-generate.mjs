// Runs `prisma generate` offline. Prisma 7's CLI tries to download its native
// schema engine first; generation never runs that engine, so pointing
// PRISMA_SCHEMA_ENGINE_BINARY at any existing file keeps it from downloading.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const prismaDir = path.join(root, 'prisma');
const cli = path.join(root, 'node_modules', 'prisma', 'build', 'index.js');
if (!existsSync(cli)) {
  process.stderr.write('prisma-generate: the prisma CLI is not installed yet; skipping\n');
  process.exit(0);
}
const result = spawnSync(
  process.execPath,
  [cli, 'generate', '--schema', path.join(prismaDir, 'schema.prisma')],
  {
    cwd: prismaDir,
    stdio: 'inherit',
    env: {
      ...process.env,
      PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
      CHECKPOINT_DISABLE: '1',
    },
  },
);
process.exit(result.status ?? 1);
