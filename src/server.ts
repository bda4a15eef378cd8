/** Process entry: load config, build the app, listen, shut down gracefully on SIGTERM/SIGINT. */
import { createServer, type RequestListener, type Server } from 'node:http';
import express, { type Express } from 'express';
import { loadConfig, ConfigError } from './config/load';
import type { Config } from './config/schema';
import { createLogger, type Logger } from './log/logger';
import { createApp, createRuntime, metricsAllowlist, type AppDeps } from './app';
import { KnowledgeError } from './knowledge/load';
import { metricsRouter } from './observability/metrics-endpoint';
import { APP_VERSION } from './version';
import { sendError } from './hooks/operation-outcome';

/** Why a listen failed, in words an operator can act on. */
export function listenFailure(err: NodeJS.ErrnoException, host: string, port: number, what = 'service'): string {
  const where = `${host}:${port}`;
  switch (err.code) {
    case 'EADDRINUSE':
      return `cannot listen on ${where} (${what}): the port is already in use by another process`;
    case 'EACCES':
      return `cannot listen on ${where} (${what}): permission denied (ports below 1024 need privileges)`;
    case 'EADDRNOTAVAIL':
      return `cannot listen on ${where} (${what}): ${host} is not an address of this machine (check HOST)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot listen on ${where} (${what}): host name ${host} cannot be resolved (check HOST)`;
    default:
      return `cannot listen on ${where} (${what}): ${err.code ?? err.message}`;
  }
}

/**
 * Starts listening; resolves with the server once it listens, rejects with an operator-readable Error when it
 * cannot (the port is taken, HOST is not local or does not resolve).
 */
export function listen(handler: RequestListener, host: string, port: number, what = 'service'): Promise<Server> {
  const server = createServer(handler);
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => reject(new Error(listenFailure(err, host, port, what)));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve(server);
    });
  });
}

function boundPort(server: Server, fallback: number): number {
  const addr = server.address();
  return typeof addr === 'object' && addr ? addr.port : fallback;
}

/** A separate listener that serves only `GET /metrics` (METRICS_PORT). */
function metricsApp(deps: AppDeps, config: Config): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.security.trustProxy);
  app.use(metricsRouter(deps.metrics!, metricsAllowlist(config)));
  app.use((req, res) => sendError(res, 404, 'not-found', `no route for ${req.method} ${req.path.slice(0, 200)}`));
  return app;
}

/** Listens on the service port and, with METRICS_PORT, on the metrics port: [service, metrics?]. */
export async function startListeners(deps: AppDeps, config: Config, logger: Logger): Promise<Server[]> {
  const servers: Server[] = [];
  try {
    const server = await listen(createApp(deps), config.host, config.port);
    servers.push(server);
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    server.requestTimeout = 30_000;
    const port = boundPort(server, config.port);
    logger.info(
      { port, version: APP_VERSION, knowledgeVersion: deps.knowledge.version },
      `hlh-sentinel ${APP_VERSION} listening on http://${config.host}:${port}`,
    );
    if (config.metrics.port !== undefined && deps.metrics) {
      const metricsServer = await listen(metricsApp(deps, config), config.host, config.metrics.port, 'metrics');
      servers.push(metricsServer);
      logger.info({ metricsPort: boundPort(metricsServer, config.metrics.port) }, 'metrics served on their own port');
    }
    return servers;
  } catch (e) {
    for (const s of servers) s.close();
    throw e;
  }
}

/** Starts the service. Resolves with its listeners, or undefined after a start-up failure (exit code set). */
export async function main(): Promise<Server[] | undefined> {
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
  let deps: AppDeps;
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
  let servers: Server[];
  try {
    servers = await startListeners(deps, config, logger);
  } catch (e) {
    logger.fatal({ err: { message: (e as Error).message } }, 'cannot start: listening failed');
    process.stderr.write(`hlh-sentinel: ${(e as Error).message}\n`);
    await deps.close?.().catch(() => undefined);
    process.exit(1);
  }

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
    let open = servers.length;
    for (const server of servers) {
      server.close(() => {
        if (--open > 0) return;
        // Flush the card log (bounded) before exiting.
        void (deps.close?.() ?? Promise.resolve()).finally(() => {
          logger.info('stopped');
          process.exit(0);
        });
      });
      server.closeIdleConnections();
    }
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  return servers;
}

if (require.main === module) void main();
