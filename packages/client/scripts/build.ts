import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * Builds the installable package in `dist/`: one ESM bundle (`index.js`, with the relay's
 * event model compiled in, so nothing of the monorepo is needed at run time), type
 * declarations (`types/`, generated from the catalogue, see generate-types.ts), its own
 * `package.json` (dependencies `ws` and `zod` only) and the README. `npm pack dist` makes the
 * tarball integrators install.
 */

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = path.join(root, 'dist');
const own = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  description: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  engines?: Record<string, string>;
};
const eventsPkg = JSON.parse(readFileSync(path.join(root, '../events/package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
};
const RUNTIME = ['ws', 'zod'];

rmSync(dist, { recursive: true, force: true });
await build({
  entryPoints: [path.join(root, 'src/index.ts')],
  outfile: path.join(dist, 'index.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: RUNTIME,
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
});
execFileSync(path.join(root, '../../node_modules/.bin/tsc'), ['-p', path.join(root, 'tsconfig.build.json')], {
  stdio: 'inherit',
});

// Nothing in the artifact may point back into the monorepo.
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
for (const f of files(dist)) {
  if (!/\.(js|d\.ts)$/.test(f)) continue;
  const text = readFileSync(f, 'utf8');
  if (/from ['"]@3cx-relay\/|import\(['"]@3cx-relay\//.test(text))
    throw new Error(`${path.relative(root, f)} still imports a workspace package`);
}

writeFileSync(
  path.join(dist, 'package.json'),
  `${JSON.stringify(
    {
      name: own.name,
      version: own.version,
      description: own.description,
      type: 'module',
      // No licence is claimed: the project has not chosen one (set it here when it does).
      license: 'UNLICENSED',
      private: false,
      engines: { node: '>=20.9' },
      main: './index.js',
      types: './types/index.d.ts',
      exports: { '.': { types: './types/index.d.ts', default: './index.js' } },
      sideEffects: false,
      files: ['index.js', 'index.js.map', 'types', 'README.md'],
      dependencies: {
        ws: own.dependencies.ws,
        zod: eventsPkg.dependencies.zod,
        // The declarations name ws's ClientOptions and Node's EventEmitter.
        '@types/ws': own.devDependencies['@types/ws'],
      },
      keywords: ['3cx', 'webhooks', 'standard-webhooks', 'websocket', 'server-sent-events', 'crm'],
    },
    null,
    2,
  )}\n`,
);
copyFileSync(path.join(root, 'README.md'), path.join(dist, 'README.md'));
process.stdout.write(`built ${path.relative(process.cwd(), dist)}\n`);
