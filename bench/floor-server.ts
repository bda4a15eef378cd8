/**
 * The floor: Express 5 with the same JSON body parser settings as the service, answering a fixed
 * `{"cards": []}`. Its throughput is the cost of receiving the same bytes with the same stack.
 * Usage: node dist/bench/floor-server.js <port>
 */
import express from 'express';

const app = express();
app.use(express.json({ limit: '50mb', type: ['application/json', 'application/fhir+json'] }));
const body = JSON.stringify({ cards: [] });
app.post('/cds-services/:id', (_req, res) => {
  res.type('application/json').send(body);
});
// A client that gives up mid-body (autocannon timeouts at N = 10,000) gets a bare 400, not a stack trace on stderr.
app.use((_err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
  res.status(400).end();
});
const port = Number(process.argv[2] ?? 0);
const server = app.listen(port, '127.0.0.1', () => {
  process.send?.({ ready: true });
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
