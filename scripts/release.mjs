#!/usr/bin/env node
// Builds release/hushdesk-<version>-linux-x64.tar.gz: everything hushdesk needs
// to run on a Linux machine without Node.js (the compiled code, views, public
// files, the Help button snippet, migrations, the production dependencies as installed here, with their
// native modules built for the Node.js that is bundled: the one running this).
//
//   npm run release [-- --out DIR]
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  createReadStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const outIndex = process.argv.indexOf('--out');
const outDir = resolve(outIndex > 0 ? process.argv[outIndex + 1] : join(root, 'release'));
if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.error(
    `release: builds linux-x64 archives only, this is ${process.platform}-${process.arch}`,
  );
  process.exit(1);
}
const name = `hushdesk-${pkg.version}-linux-x64`;
const stage = join(outDir, name);
const archive = join(outDir, `${name}.tar.gz`);

function step(message) {
  console.log(`== ${message}`);
}

step('compiling');
execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });

rmSync(stage, { recursive: true, force: true });
rmSync(archive, { force: true });
mkdirSync(stage, { recursive: true });

step('copying code, views, public files, the Help button snippet and migrations');
const noMaps = (src) => !src.endsWith('.map');
cpSync(join(root, 'dist', 'src'), join(stage, 'dist', 'src'), { recursive: true, filter: noMaps });
cpSync(join(root, 'dist', 'migrations'), join(stage, 'dist', 'migrations'), {
  recursive: true,
  filter: noMaps,
});
for (const folder of ['views', 'public', 'snippet']) {
  cpSync(join(root, folder), join(stage, folder), { recursive: true });
}
mkdirSync(join(stage, 'bin'));
copyFileSync(join(root, 'bin', 'hushdesk.js'), join(stage, 'bin', 'hushdesk.js'));
for (const file of ['package.json', 'package-lock.json', 'README.md', 'CHANGELOG.md']) {
  copyFileSync(join(root, file), join(stage, file));
}
copyFileSync(join(root, 'deploy', 'hushdesk.service'), join(stage, 'hushdesk.service'));
copyFileSync(join(root, 'deploy', 'hushdesk'), join(stage, 'hushdesk'));
chmodSync(join(stage, 'hushdesk'), 0o755);

step('copying production dependencies');
// npm's own view of the installed tree without devDependencies: no network, and
// the native modules (better-sqlite3, argon2, sharp) are the ones built here.
const listed = spawnSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], {
  cwd: root,
  encoding: 'utf8',
  maxBuffer: 16 * 1024 * 1024,
});
if (listed.status !== 0) {
  console.error(listed.stderr);
  process.exit(1);
}
const packages = listed.stdout
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && line !== root)
  .map((line) => relative(root, line));
// Left out: nested node_modules (listed, and copied, on their own when they are
// production ones) and what compiling a native module leaves behind (object
// files, static libraries, the C sources of an addon): only the .node file runs.
const BUILD_LEFTOVERS = /\/build\/Release\/(obj|obj\.target|\.deps)(\/|$)|\.(a|o)$/;
for (const path of packages) {
  const from = join(root, path);
  const native = existsSync(join(from, 'binding.gyp'));
  cpSync(from, join(stage, path), {
    recursive: true,
    filter: (src) => {
      const inside = src.slice(from.length);
      if (inside.includes('/node_modules') || BUILD_LEFTOVERS.test(inside)) return false;
      return !(native && /^\/deps(\/|$)/.test(inside));
    },
  });
}

step(`bundling Node.js ${process.version} from ${process.execPath}`);
mkdirSync(join(stage, 'runtime'));
copyFileSync(process.execPath, join(stage, 'runtime', 'node'));
chmodSync(join(stage, 'runtime', 'node'), 0o755);

step('licences');
const licences = [
  `Licences of what this release of hushdesk ${pkg.version} bundles.`,
  '',
  nodeLicence(),
];
for (const path of packages.sort()) {
  const meta = JSON.parse(readFileSync(join(root, path, 'package.json'), 'utf8'));
  const files = readdirSync(join(root, path)).filter((f) =>
    /^(licen[cs]e|copying|notice)/i.test(f),
  );
  const texts = files.map((f) => readFileSync(join(root, path, f), 'utf8').trim());
  licences.push(
    `${'='.repeat(78)}\n${meta.name}@${meta.version} (${licenceName(meta)})\n${'='.repeat(78)}\n${texts.join('\n\n') || '(no licence file in the package; see its licence field above)'}\n`,
  );
}
writeFileSync(join(stage, 'THIRD-PARTY-LICENSES.txt'), licences.join('\n'));

const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' });
writeFileSync(
  join(stage, 'VERSION'),
  [
    `hushdesk ${pkg.version}`,
    `commit ${commit.status === 0 ? commit.stdout.trim() : 'unknown'}`,
    `node ${process.version} linux-x64`,
    `built ${new Date().toISOString()}`,
    '',
  ].join('\n'),
);

step('checksums');
const sums = [];
for (const file of walk(stage).sort()) {
  sums.push(`${await sha256(file)}  ${relative(stage, file)}`);
}
writeFileSync(join(stage, 'SHA256SUMS'), `${sums.join('\n')}\n`);

step(`archiving ${relative(process.cwd(), archive) || archive}`);
execFileSync(
  'tar',
  ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', '-C', outDir, '-czf', archive, name],
  { stdio: 'inherit' },
);
rmSync(stage, { recursive: true, force: true });
writeFileSync(`${archive}.sha256`, `${await sha256(archive)}  ${name}.tar.gz\n`);
console.log(
  `${archive} (${(statSync(archive).size / 1024 / 1024).toFixed(1)} MB)\n${archive}.sha256`,
);

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return walk(path);
    return entry.isFile() ? [path] : [];
  });
}

function sha256(file) {
  return new Promise((done, fail) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => done(hash.digest('hex')))
      .on('error', fail);
  });
}

function licenceName(meta) {
  if (typeof meta.license === 'string') return meta.license;
  if (meta.license?.type) return meta.license.type;
  return 'licence not declared';
}

/** Node.js's own licence, from beside the binary (official builds) or Debian's copy. */
function nodeLicence() {
  const candidates = [
    join(dirname(process.execPath), '..', 'share', 'doc', 'node', 'LICENSE'),
    join(dirname(process.execPath), '..', 'LICENSE'),
    '/usr/share/doc/nodejs/copyright',
  ];
  const found = candidates.find((file) => existsSync(file));
  const text = found
    ? readFileSync(found, 'utf8').trim()
    : 'See https://github.com/nodejs/node/blob/main/LICENSE';
  return `${'='.repeat(78)}\nNode.js ${process.version} (MIT and others)\n${'='.repeat(78)}\n${text}\n`;
}
