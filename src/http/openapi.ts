/**
 * OpenAPI 3.1 description of the HTTP API, served at `GET /openapi.json`. Request and response bodies of the
 * CDS Hooks endpoints are generated from the same zod schemas that validate them (src/hooks), so the
 * description cannot drift from what is accepted; `info.version` is the app version (src/version.ts).
 * test/foundation/openapi.test.ts holds it to the routes Express serves and the status codes they answer.
 */
import { z } from 'zod';
import { discoveryResponseSchema } from '../hooks/discovery';
import { feedbackRequestSchema } from '../hooks/feedback';
import { patientViewRequestSchema } from '../hooks/request';
import { cardsResponseSchema } from '../hooks/response';
import { APP_VERSION } from '../version';
import { ROUTES } from './routes';

type Json = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Json;
  return rest;
}

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Json, type = 'application/json'): Json => ({ content: { [type]: { schema } } });
const REQUEST_ID = { 'X-Request-Id': { $ref: '#/components/headers/RequestId' } };

/** An error response: a FHIR OperationOutcome naming what was wrong. */
function problem(description: string, headers: Json = {}): Json {
  return { description, headers: { ...REQUEST_ID, ...headers }, ...json(ref('OperationOutcome'), 'application/fhir+json') };
}

function ok(description: string, body: Json, type = 'application/json'): Json {
  return { description, headers: REQUEST_ID, ...json(body, type) };
}

const CDS_ERRORS: Json = {
  '400': problem('Malformed request: the OperationOutcome names the field (JSON syntax, nesting depth, schema).'),
  '401': problem('Authentication failed (no detail is given; the reason is logged without the token).', {
    'WWW-Authenticate': { schema: { type: 'string', const: 'Bearer' } },
  }),
  '413': problem('Request body larger than BODY_LIMIT.'),
  '415': problem('Unsupported body encoding or charset.'),
  '500': problem('Internal error (never with internals or a stack trace).'),
};

const SERVICE_ID = { name: 'id', in: 'path', required: true, schema: { type: 'string' }, description: 'CDS service id (`hlh-screen`).' };
const BEARER = [{ cdsHooksJwt: [] }];
const PREFLIGHT = { summary: 'CORS preflight', security: [], responses: { '204': { description: 'Allowed methods and headers (no credentials).' } } };

/** The evidence view's HTML page (the SMART launch URL and the redirect URI serve the same page). */
function evidencePage(operationId: string, summary: string): Json {
  return {
    get: {
      operationId,
      summary,
      security: [],
      responses: {
        '200': { description: 'The page (no patient data: the browser reads it from the FHIR server).', content: { 'text/html': { schema: { type: 'string' } } } },
        '503': problem('The evidence view is not built or not available on this server.'),
      },
    },
    options: PREFLIGHT,
  };
}

function evidencePaths(): Json {
  return {
    [ROUTES.evidencePage]: evidencePage('evidenceView', 'The evidence view, a SMART on FHIR app (OAuth2 redirect URI; also `?iss=…&patient=…` for demos)'),
    [ROUTES.evidenceLaunch]: evidencePage('evidenceLaunch', 'SMART EHR launch URL of the evidence view (`?iss=…&launch=…`)'),
    [ROUTES.evidenceAsset]: {
      get: {
        operationId: 'evidenceAsset',
        summary: "The evidence view's content-hashed script or stylesheet (gzip when accepted)",
        security: [],
        parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          '200': { description: 'The asset (immutable).', content: { 'text/javascript': { schema: { type: 'string' } }, 'text/css': { schema: { type: 'string' } } } },
          '404': problem('No such asset.'),
        },
      },
      options: PREFLIGHT,
    },
    [ROUTES.evidenceRedirect]: {
      get: {
        operationId: 'evidenceRedirect',
        summary: 'Redirects to `/evidence/`, keeping the query',
        security: [],
        responses: { '308': { description: 'Permanent redirect to `/evidence/`.', headers: { Location: { schema: { type: 'string' } } } } },
      },
      options: PREFLIGHT,
    },
  };
}

const RETRY_AFTER = { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds.' } };

function paths(): Json {
  return { ...evidencePaths(), ...cdsPaths(), ...operationsPaths() };
}

/** The CDS Hooks endpoints: discovery, the service call and feedback. */
function cdsPaths(): Json {
  return {
    [ROUTES.discovery]: {
      get: {
        operationId: 'discovery',
        summary: 'CDS Hooks discovery: the services offered, with their prefetch templates',
        security: BEARER,
        responses: { '200': ok('The service list.', ref('DiscoveryResponse')), ...CDS_ERRORS },
      },
      options: PREFLIGHT,
    },
    [ROUTES.service]: {
      post: {
        operationId: 'callService',
        summary: 'Call the service (hook `patient-view`): cards for the patient',
        security: BEARER,
        parameters: [SERVICE_ID],
        requestBody: { required: true, ...json(ref('PatientViewRequest')) },
        responses: {
          '200': ok('Cards (an empty list when nothing is found, or in silent mode).', ref('CardsResponse')),
          ...CDS_ERRORS,
          '404': problem('No CDS service with this id.'),
          '412': problem(
            "Prefetch data missing and not fetchable (no fhirServer, a server the caller may not use, the FHIR server failed, or the hook's FHIR byte budget or deadline ran out).",
          ),
          '503': problem('At capacity (MAX_IN_FLIGHT calls or MAX_BODY_BYTES_IN_FLIGHT body bytes), or not evaluable within HOOK_DEADLINE_MS; retry later.', RETRY_AFTER),
        },
      },
      options: PREFLIGHT,
    },
    [ROUTES.feedback]: {
      post: {
        operationId: 'feedback',
        summary: 'Card feedback (accepted / overridden), stored once per card and outcome',
        security: BEARER,
        parameters: [SERVICE_ID],
        requestBody: { required: true, ...json(ref('FeedbackRequest')) },
        responses: {
          '200': ok('Number of feedback items received, once committed to the card log.', { type: 'object', properties: { received: { type: 'integer' } }, required: ['received'] }),
          ...CDS_ERRORS,
          '404': problem('No CDS service with this id.'),
          '503': problem('The card log could not commit the feedback (nothing was stored); retry later.', RETRY_AFTER),
        },
      },
      options: PREFLIGHT,
    },
  };
}

/** Health, readiness, metrics and this document. */
function operationsPaths(): Json {
  return {
    [ROUTES.health]: {
      get: {
        operationId: 'health',
        summary: 'Liveness: version, knowledge and content versions, authentication and silent mode (open)',
        security: [],
        responses: { '200': ok('The process is up; `status` says `no EHR registered` when every CDS call will be refused.', ref('Health')) },
      },
      options: PREFLIGHT,
    },
    [ROUTES.readiness]: {
      get: {
        operationId: 'readiness',
        summary: 'Readiness including the card log store (open)',
        security: [],
        responses: {
          '200': ok('Ready.', { type: 'object', properties: { status: { const: 'ok' } } }),
          '503': ok('Starting (evaluation workers still compiling their pipeline), or degraded: the card log store is unreachable, not migrated or failing writes.', {
            type: 'object',
            properties: { status: { enum: ['starting', 'degraded'] } },
          }),
        },
      },
      options: PREFLIGHT,
    },
    [ROUTES.metrics]: {
      get: {
        operationId: 'metrics',
        summary: 'Prometheus metrics (text exposition format), for clients on METRICS_ALLOW',
        security: [],
        responses: {
          '200': ok('Metrics.', { type: 'string' }, 'text/plain'),
          '403': problem('The client address is not on METRICS_ALLOW.'),
          '404': problem('Metrics are served on the dedicated METRICS_PORT, not on this port.'),
          '500': problem('Internal error.'),
        },
      },
      options: PREFLIGHT,
    },
    [ROUTES.openapi]: {
      get: { operationId: 'openapi', summary: 'This description (open)', security: [], responses: { '200': ok('OpenAPI 3.1 document.', { type: 'object' }) } },
      options: PREFLIGHT,
    },
  };
}

function components(): Json {
  return {
    securitySchemes: {
      cdsHooksJwt: {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'CDS Hooks 2.0 client JWT signed by a registered EHR (asymmetric algorithm; aud = the URL called; fresh jti).',
      },
    },
    headers: { RequestId: { description: 'The caller’s X-Request-Id when sane, else a fresh UUID; on every log line of the request.', schema: { type: 'string' } } },
    schemas: {
      DiscoveryResponse: jsonSchema(discoveryResponseSchema, 'output'),
      PatientViewRequest: jsonSchema(patientViewRequestSchema, 'input'),
      CardsResponse: jsonSchema(cardsResponseSchema, 'output'),
      FeedbackRequest: jsonSchema(feedbackRequestSchema, 'input'),
      OperationOutcome: {
        type: 'object',
        required: ['resourceType', 'issue'],
        properties: {
          resourceType: { const: 'OperationOutcome' },
          issue: {
            type: 'array',
            items: {
              type: 'object',
              required: ['severity', 'code'],
              properties: { severity: { type: 'string' }, code: { type: 'string' }, diagnostics: { type: 'string' }, expression: { type: 'array', items: { type: 'string' } } },
            },
          },
        },
      },
      Health: {
        type: 'object',
        required: ['status', 'version', 'knowledgeVersion', 'auth', 'silentMode'],
        properties: {
          status: { enum: ['ok', 'no EHR registered'] },
          version: { type: 'string' },
          knowledgeVersion: { type: 'string' },
          contentVersion: { type: 'string' },
          auth: { enum: ['required', 'disabled-dev'] },
          silentMode: { type: 'object', properties: { enabled: { type: 'boolean' }, indicators: { type: 'array', items: { type: 'string' } } } },
          warning: { type: 'string' },
        },
      },
    },
  };
}

let cached: Json | undefined;

/** The OpenAPI document (built once). */
export function openApiDocument(): Json {
  cached ??= {
    openapi: '3.1.0',
    info: {
      title: 'HLH Sentinel',
      version: APP_VERSION,
      summary: 'CDS Hooks 2.0 service screening for therapy-associated HLH-like hyperinflammation (IEC-HS, treatment-related HLH).',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    externalDocs: { description: 'CDS Hooks 2.0', url: 'https://cds-hooks.hl7.org/2.0/' },
    paths: paths(),
    components: components(),
  };
  return cached;
}
