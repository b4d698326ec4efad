import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What `npm start` runs, read from package.json's start script: the Node.js
 * flags and the script. The bench and the tests start the server with the same
 * flags, so what they measure is what an agency runs (deploy/hushdesk carries
 * them too; test/server-start.test.ts keeps the two alike).
 */
export interface StartCommand {
  nodeArgs: string[];
  script: string;
}

export function startCommand(root: string): StartCommand {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    scripts?: Record<string, string>;
  };
  const words = (pkg.scripts?.start ?? '').trim().split(/\s+/);
  const [node, ...rest] = words;
  const script = rest.at(-1);
  const nodeArgs = rest.slice(0, -1);
  if (node !== 'node' || !script || nodeArgs.some((arg) => !arg.startsWith('--'))) {
    throw new Error(
      `package.json's start script is not "node [--flags] <script>": ${words.join(' ')}`,
    );
  }
  return { nodeArgs, script: join(root, script) };
}
