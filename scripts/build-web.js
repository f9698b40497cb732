#!/usr/bin/env node
// Builds the web client into dist/web, which the server serves at `/` (src/app.setup.ts):
// compiles web/src/*.ts with web/tsconfig.json into dist/web/js and copies the static files.
// Part of `npm run build`.
'use strict';
const { spawnSync } = require('node:child_process');
const { cpSync, mkdirSync, readdirSync, rmSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const source = join(root, 'web');
const target = join(root, 'dist', 'web');

rmSync(target, { recursive: true, force: true });
mkdirSync(target, { recursive: true });

const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
const compiled = spawnSync(process.execPath, [tsc, '-p', join(source, 'tsconfig.json')], { stdio: 'inherit' });
if (compiled.status !== 0) process.exit(compiled.status ?? 1);

for (const name of readdirSync(source)) {
  if (/\.(html|css|svg|png|ico)$/.test(name)) cpSync(join(source, name), join(target, name));
}
