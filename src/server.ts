/** Process entry: load config, build the app, listen, shut down gracefully on SIGTERM/SIGINT. */
import type { Server } from 'node:http';
import { loadConfig, ConfigError } from './config/load';
import { createLogger } from './log/logger';
import { createApp, createRuntime } from './app';
import { KnowledgeError } from './knowledge/load';

export function main(): Server | undefined {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`hlh-sentinel: ${e.message}\n`);
      process.exitCode = 2;
      return undefined;
    }
    throw e;
  }
  const logger = createLogger(config.logLevel);
  let deps;
  try {
    deps = createRuntime(config, logger);
  } catch (e) {
    if (e instanceof KnowledgeError || e instanceof ConfigError || (e as Error).name.endsWith('Error')) {
      process.stderr.write(`hlh-sentinel: cannot start: ${(e as Error).message}\n`);
      process.exitCode = 2;
      return undefined;
    }
    throw e;
  }
  const app = createApp(deps);
  const server = app.listen(config.port, config.host, () => {
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : config.port;
    logger.info({ port, knowledgeVersion: deps.knowledge.version }, `hlh-sentinel listening on http://${config.host}:${port}`);
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 30_000;

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: no new connections, finishing in-flight requests');
    const force = setTimeout(() => {
      logger.warn('forced shutdown after 10 s');
      process.exit(1);
    }, 10_000);
    force.unref();
    server.close(() => {
      // Flush the card log (bounded) before exiting.
      void (deps.close?.() ?? Promise.resolve()).finally(() => {
        logger.info('stopped');
        process.exit(0);
      });
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  return server;
}

if (require.main === module) main();
