import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startCommand } from '../bench/start-command.js';

const ROOT = join(import.meta.dirname, '..');

describe('how the server is started', () => {
  it('npm start runs the bundle with the memory bounds in its Node.js flags', () => {
    const start = startCommand(ROOT);
    expect(start.script).toBe(join(ROOT, 'dist', 'src', 'server.bundle.js'));
    expect(start.nodeArgs).toContain('--max-semi-space-size=8');
    expect(start.nodeArgs).toContain('--heap-growing-percent=50');
  });

  it("the release's launcher starts the server with the same flags as npm start", () => {
    const launcher = readFileSync(join(ROOT, 'deploy', 'hushdesk'), 'utf8');
    const line = launcher.split('\n').find((l) => /runtime\/node" --/.test(l));
    expect(line).toBeDefined();
    const flags = (line ?? '').match(/\s(--[\w-]+=\S+)/g)?.map((f) => f.trim());
    expect(flags).toEqual(startCommand(ROOT).nodeArgs);
  });

  it('this Node.js accepts the flags (an unknown one stops node before it starts)', () => {
    const run = spawnSync(
      process.execPath,
      [...startCommand(ROOT).nodeArgs, '-e', 'process.stdout.write("ok")'],
      { encoding: 'utf8' },
    );
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('ok');
    const bad = spawnSync(process.execPath, ['--no-such-heap-flag=1', '-e', '0'], {
      encoding: 'utf8',
    });
    expect(bad.status).not.toBe(0);
  });
});
