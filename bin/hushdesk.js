#!/usr/bin/env node
// The built CLI (npm install builds it through the prepare script).
// `hushdesk start` runs the server; every other command is the CLI.
if (process.argv[2] === 'start') {
  process.argv.splice(2, 1);
  await import('../dist/src/server.bundle.js');
} else {
  const { main } = await import('../dist/src/cli.js');
  await main();
}
