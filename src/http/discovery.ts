import { Router } from 'express';
import type { ServiceDefinition } from '../hooks/discovery';

export function discoveryRouter(services: ServiceDefinition[]): Router {
  const router = Router();
  const body = JSON.stringify({ services });
  router.get('/cds-services', (_req, res) => {
    res.type('application/json').send(body);
  });
  return router;
}
