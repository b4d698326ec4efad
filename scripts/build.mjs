#!/usr/bin/env node
// Compiles src/ and migrations/ into dist/, then bundles the server into
// dist/src/server.bundle.js (what `npm start` runs). With --if-stale (what
// `npm start` runs first) it builds only when a source is newer than the last
// build, so a start with nothing changed goes straight to listening.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stamp = join(root, 'dist', '.build-stamp');
const bundle = join(root, 'dist', 'src', 'server.bundle.js');
const inputs = ['src', 'migrations', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];

function newestChange(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs; // a deleted or renamed file changes its folder
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestChange(join(path, entry)));
  return newest;
}

function isFresh() {
  if (!existsSync(stamp) || !existsSync(bundle)) return false;
  const built = statSync(stamp).mtimeMs;
  return inputs.every(
    (input) => !existsSync(join(root, input)) || newestChange(join(root, input)) <= built,
  );
}

if (process.argv.includes('--if-stale') && isFresh()) process.exit(0);
const startedAt = new Date();
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], {
  stdio: 'inherit',
});
if (result.status !== 0) process.exit(result.status ?? 1);
await bundleServer();
// The stamp carries the time the build started: a file saved during the build counts as newer.
writeFileSync(stamp, `${startedAt.toISOString()}\n`);
utimesSync(stamp, startedAt, startedAt);

/**
 * The server and everything it loads at start, in one file. Loaded as ~480
 * separate ES modules (Kysely alone is 263 files) the code took ~0.75 s of a
 * one-second start-up, resolving and linking files; as one file it takes a
 * fifth of that (docs/performance.md, "Issue 14: what changed"). The bundle sits in
 * dist/src, so src/root.ts finds the package and dist/migrations from it as
 * the compiled files do. Left outside: native addons, which cannot be bundled,
 * and the packages the server imports only when first needed (mail,
 * single sign-on, metrics, images, two-factor QR codes, PostgreSQL's driver),
 * so they still cost nothing at start.
 */
async function bundleServer() {
  const { build } = await import('esbuild');
  await build({
    entryPoints: [join(root, 'dist', 'src', 'server.js')],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Function names stay as written, for stack traces and CPU profiles.
    keepNames: true,
    external: [
      'better-sqlite3',
      'argon2',
      'sharp',
      'pg',
      'nodemailer',
      'openid-client',
      'prom-client',
      'qrcode',
    ],
    // Bundled CommonJS packages call require(); an ES module has none of its own.
    banner: {
      js: "import { createRequire as hushdeskCreateRequire } from 'node:module';\nconst require = hushdeskCreateRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
}
