/**
 * Operations: the access log (one line per request, no PHI or tokens, W3C traceparent), /healthz facts, the
 * loud start-up warnings, and listening failures that stop the process with a clear message.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import request from 'supertest';
import { createApp, createRuntime } from '../../src/app';
import { configSchema } from '../../src/config/schema';
import { createLogger } from '../../src/log/logger';
import { parseTraceparent } from '../../src/observability/trace-context';
import { listen, listenFailure } from '../../src/server';
import { APP_VERSION } from '../../src/version';
import { buildTestApp, hookRequest, memoryLog } from '../support/app';

const root = path.resolve(__dirname, '../..');
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACEPARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;
/** Every prefetch key answered "searched, nothing found". */
const nothingFound = (templates: Record<string, string> | undefined) => Object.fromEntries(Object.keys(templates ?? {}).map((k) => [k, null]));
const lines = (log: string[]) => log.map((l) => JSON.parse(l) as Record<string, unknown>);

describe('access log', () => {
  it('writes one line per request with route, status, time, request id and trace; never the query, token or patient', async () => {
    const { app, log, deps } = buildTestApp({ configInput: { security: { auth: { mode: 'disabled-dev' } } } });
    const token = 'eyJhbGciOiJFUzM4NCJ9.eyJzdWIiOiJzZWNyZXQtdG9rZW4ifQ.c2ln';
    const res = await request(app)
      .post('/cds-services/hlh-screen?patient=Patient/phi-123&name=Doe')
      .set('Authorization', `Bearer ${token}`)
      .set('traceparent', TRACEPARENT)
      .send(hookRequest({ context: { userId: 'Practitioner/1', patientId: 'phi-123' }, prefetch: nothingFound(deps.service.prefetch) }));
    expect(res.status).toBe(200);
    const access = lines(log).filter((l) => l.msg === 'request completed');
    expect(access).toHaveLength(1);
    expect(access[0]).toMatchObject({
      level: 30,
      requestId: res.headers['x-request-id'],
      traceId: TRACE_ID,
      traceparent: TRACEPARENT,
      req: { method: 'POST', route: '/cds-services/{id}', path: '/cds-services/hlh-screen' },
      res: { statusCode: 200 },
    });
    expect(typeof access[0]!.responseTime).toBe('number');
    // The trace is on every line of the request, not only the access line.
    expect(lines(log).find((l) => l.msg === 'hook evaluated')).toMatchObject({ traceId: TRACE_ID, requestId: res.headers['x-request-id'] });
    const all = log.join('\n');
    for (const secret of ['phi-123', 'Doe', token, 'Bearer', '?patient']) expect(all).not.toContain(secret);
  });

  it('logs an unknown path as route "other" without the path (it could carry an identifier)', async () => {
    const { app, log } = buildTestApp();
    expect((await request(app).get('/Patient/phi-456')).status).toBe(404);
    const access = lines(log).filter((l) => l.msg === 'request completed');
    expect(access).toEqual([expect.objectContaining({ req: expect.objectContaining({ method: 'GET', route: 'other' }), res: { statusCode: 404 } })]);
    expect(log.join('\n')).not.toContain('phi-456');
  });

  it('logs refusals before routing (401) and failures (500 at level error, without a stack)', async () => {
    const { app, log } = buildTestApp({
      authenticate: (_req, res) => void res.status(401).json({}),
    });
    expect((await request(app).get('/cds-services')).status).toBe(401);
    const failing = buildTestApp({
      configInput: { security: { auth: { mode: 'disabled-dev' } } },
      evaluator: () => {
        throw new Error('boom');
      },
    });
    const body = hookRequest({ prefetch: nothingFound(failing.deps.service.prefetch) });
    expect((await request(failing.app).post('/cds-services/hlh-screen').send(body)).status).toBe(500);
    expect(lines(log).filter((l) => l.msg === 'request completed').map((l) => (l.res as { statusCode: number }).statusCode)).toEqual([401]);
    const failed = lines(failing.log).find((l) => l.msg === 'request failed');
    expect(failed).toMatchObject({ level: 50, res: { statusCode: 500 } });
    expect(JSON.stringify(failed)).not.toMatch(/stack|at Object/);
  });
});

describe('W3C traceparent', () => {
  it.each([
    ['version 00', TRACEPARENT, TRACE_ID],
    ['a later version with an extra field', `cc-${TRACE_ID}-00f067aa0ba902b7-01-what-the-future-will-be-like`, TRACE_ID],
    ['surrounding whitespace', ` ${TRACEPARENT} `, TRACE_ID],
  ])('accepts %s', (_name, header, traceId) => {
    expect(parseTraceparent(header)?.traceId).toBe(traceId);
  });

  it.each([
    ['upper-case hex', TRACEPARENT.toUpperCase()],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`],
    ['an all-zero parent id', `00-${TRACE_ID}-${'0'.repeat(16)}-01`],
    ['version ff', `ff-${TRACE_ID}-00f067aa0ba902b7-01`],
    ['version 00 with an extra field', `${TRACEPARENT}-extra`],
    ['a short trace id', `00-${TRACE_ID.slice(1)}-00f067aa0ba902b7-01`],
    ['two headers joined', `${TRACEPARENT}, ${TRACEPARENT}`],
    ['nothing', undefined],
  ])('ignores %s', (_name, header) => {
    expect(parseTraceparent(header)).toBeUndefined();
  });

  it('an invalid header adds nothing to the logs', async () => {
    const { app, log } = buildTestApp();
    await request(app).get('/healthz').set('traceparent', TRACEPARENT.toUpperCase());
    expect(log.join('\n')).not.toMatch(/traceId|traceparent/);
  });
});

describe('/healthz and start-up', () => {
  function runtime(input: Record<string, unknown>) {
    const config = configSchema.parse({ store: { kind: 'memory' }, ...input });
    const log = memoryLog();
    const deps = createRuntime(config, createLogger('info', log.stream));
    return { app: createApp(deps), deps, log: log.lines };
  }

  it('reports the app, knowledge and content versions, auth mode and silent mode', async () => {
    const rt = runtime({ security: { auth: { mode: 'disabled-dev' } }, silent: { indicators: ['info'] } });
    const res = await request(rt.app).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'ok',
      version: APP_VERSION,
      knowledgeVersion: rt.deps.knowledge.version,
      contentVersion: expect.stringMatching(/^\d{4}\.\d+\.\d+$/),
      auth: 'disabled-dev',
      silentMode: { enabled: false, indicators: ['info'] },
    });
    expect(res.body.warning).toMatch(/AUTHENTICATION IS DISABLED/);
    await rt.deps.close?.();
  });

  it('says "no EHR registered" (still 200: the process is alive) when every CDS call will be refused', async () => {
    const rt = runtime({});
    const res = await request(rt.app).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'no EHR registered', auth: 'required' });
    await rt.deps.close?.();
  });

  it('logs silent mode loudly at start-up', async () => {
    const all = runtime({ security: { auth: { mode: 'disabled-dev' } }, silent: { enabled: true } });
    const some = runtime({ security: { auth: { mode: 'disabled-dev' } }, silent: { indicators: ['info', 'warning'] } });
    const none = runtime({ security: { auth: { mode: 'disabled-dev' } } });
    expect(lines(all.log).find((l) => /SILENT MODE/.test(String(l.msg)))).toMatchObject({ level: 40, msg: expect.stringMatching(/NONE is shown/) });
    expect(lines(some.log).find((l) => /SILENT MODE/.test(String(l.msg)))).toMatchObject({ level: 40, msg: expect.stringMatching(/info, warning/) });
    expect(none.log.join('\n')).not.toMatch(/SILENT MODE/);
    expect((await request(all.app).get('/healthz')).body.silentMode).toEqual({ enabled: true, indicators: [] });
    await Promise.all([all, some, none].map((r) => r.deps.close?.()));
  });
});

describe('listening failures', () => {
  let blocker: Server;
  let busyPort: number;
  beforeAll(async () => {
    blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    busyPort = (blocker.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => blocker.close(() => r())));

  it('a port in use or an address not on this machine rejects with a message an operator can act on', async () => {
    const { app } = buildTestApp();
    await expect(listen(app, '127.0.0.1', busyPort)).rejects.toThrow(`cannot listen on 127.0.0.1:${busyPort} (service): the port is already in use`);
    // 192.0.2.1 is TEST-NET-1 (RFC 5737): never an address of this machine; binding fails without any traffic.
    await expect(listen(app, '192.0.2.1', 0)).rejects.toThrow(/192\.0\.2\.1 is not an address of this machine \(check HOST\)/);
    expect(listenFailure(Object.assign(new Error('x'), { code: 'ENOTFOUND' }), 'no-such-host', 8080)).toMatch(/host name no-such-host cannot be resolved \(check HOST\)/);
  });

  function runServer(env: Record<string, string>): Promise<{ code: number | null; stderr: string; stdout: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['-r', './test/support/ts-register.js', 'src/server.ts'], {
        cwd: root,
        env: { PATH: process.env.PATH ?? '', STORE_KIND: 'memory', AUTH_MODE: 'disabled-dev', LOG_LEVEL: 'warn', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`server did not exit: ${stdout}${stderr}`));
      }, 25_000);
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, stderr, stdout });
      });
    });
  }

  it('the process exits 1 with the reason on stderr, and never claims to be listening', async () => {
    const inUse = await runServer({ PORT: String(busyPort), HOST: '127.0.0.1' });
    expect(inUse.code).toBe(1);
    expect(inUse.stderr).toContain(`hlh-sentinel: cannot listen on 127.0.0.1:${busyPort} (service): the port is already in use`);
    expect(inUse.stdout).not.toMatch(/listening on/);
    const badHost = await runServer({ PORT: '0', HOST: '192.0.2.1' });
    expect(badHost.code).toBe(1);
    expect(badHost.stderr).toMatch(/192\.0\.2\.1 is not an address of this machine/);
  }, 60_000);
});
