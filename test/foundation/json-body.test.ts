/**
 * jsonBody lets go of the parsed body once the response is done (a dead request promoted to the old generation
 * would otherwise keep its body alive through young-generation GCs), and keeps it for the whole handler, including
 * handlers that answer after an await.
 */
import express, { type Request } from 'express';
import request from 'supertest';
import { jsonBody } from '../../src/http/json-body';

function appKeeping(seen: Request[], opts: { asyncAnswer?: boolean } = {}) {
  const app = express();
  app.use(...jsonBody('1mb', 64));
  app.post('/x', async (req, res) => {
    seen.push(req);
    if (opts.asyncAnswer) await new Promise((r) => setTimeout(r, 20));
    // Still readable here, after the await: released only after the response.
    res.json({ echoed: (req.body as { a?: unknown } | undefined)?.a ?? null });
  });
  return app;
}

const closed = (req: Request) => new Promise<void>((resolve) => (req.res!.closed ? resolve() : req.res!.once('close', () => resolve())));

describe('jsonBody releases the parsed body after the response', () => {
  it.each([false, true])('the handler reads the body (async answer: %s); afterwards req.body is gone', async (asyncAnswer) => {
    const seen: Request[] = [];
    const res = await request(appKeeping(seen, { asyncAnswer })).post('/x').send({ a: 'kept while answering' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ echoed: 'kept while answering' });
    await closed(seen[0]!);
    expect(seen[0]!.body).toBeUndefined();
  });

  it('a request without a JSON body is passed on untouched', async () => {
    const seen: Request[] = [];
    const res = await request(appKeeping(seen)).post('/x').set('Content-Type', 'text/plain').send('not json');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ echoed: null });
  });
});
