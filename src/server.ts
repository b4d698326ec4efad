import { buildApp } from './build.js';
import { ConfigError, environmentWithDotEnv, loadConfig, plainHttpWarning } from './config.js';
import { removePidFile, writePidFile } from './server-lock.js';
import { createSetupLink } from './staff/setup.js';

/** Creates the server, listens, and closes gracefully on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(environmentWithDotEnv());
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`hushdesk cannot start: ${error.message}`);
      process.exit(78);
    }
    throw error;
  }
  process.env.TZ = config.timeZone;
  // Claims DATA_DIR, so restore and rotate-key refuse to run beside this server.
  writePidFile(config.dataDir);
  process.on('exit', () => removePidFile(config.dataDir));
  const app = await buildApp({ config });

  let closing = false;
  const close = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'closing: finishing requests in flight');
    await app.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void close('SIGTERM'));
  process.on('SIGINT', () => void close('SIGINT'));

  await app.listen({ port: config.port, host: config.host });
  const warning = plainHttpWarning(config);
  if (warning) console.warn(warning);
  const link = await createSetupLink(app.db, config.baseUrl, app.now());
  if (link) {
    console.log(
      `\nNo one has set up hushdesk yet. Open this link within the hour to create the first administrator:\n\n  ${link}\n`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(`hushdesk cannot start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
