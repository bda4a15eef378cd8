import pino, { type Logger, type DestinationStream } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Anything that could carry a credential or a patient identifier is redacted at
 * the logger, so a careless log call cannot leak it.
 */
const REDACT_PATHS = [
  'req.headers.authorization',
  'headers.authorization',
  'authorization',
  '*.authorization',
  '*.headers.authorization',
  'req.headers.cookie',
  'token',
  '*.token',
  'jwt',
  '*.jwt',
  'accessToken',
  '*.accessToken',
  'access_token',
  '*.access_token',
  'fhirAuthorization',
  '*.fhirAuthorization',
  'patientId',
  '*.patientId',
  'context.patientId',
  'prefetch',
  '*.prefetch',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'hlh-sentinel' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
