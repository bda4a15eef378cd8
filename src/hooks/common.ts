import { z } from 'zod';

/** `extension` may appear on any CDS Hooks object: a JSON object with (reverse-DNS) keys. */
export const extensionSchema = z.record(z.string(), z.unknown());

/** A Coding as CDS Hooks uses it (override reasons, topics). */
export const codingSchema = z.object({
  system: z.string().min(1).optional(),
  code: z.string().min(1),
  display: z.string().min(1).optional(),
});

/** RFC 4122 UUID (any version); CDS Hooks clients send v4. */
export const uuidSchema = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a UUID');
