import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { catalogueTypes } from './catalogue-types.js';

const target = fileURLToPath(new URL('../src/generated/relay-types.ts', import.meta.url));
writeFileSync(target, await catalogueTypes());
process.stdout.write(`wrote ${target}\n`);
