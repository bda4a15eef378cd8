import { z } from 'zod';
import { extensionSchema } from './common';

export const serviceDefinitionSchema = z.object({
  hook: z.string().min(1),
  id: z.string().min(1).regex(/^[A-Za-z0-9_\-.]+$/),
  title: z.string().min(1).optional(),
  description: z.string().min(1),
  prefetch: z.record(z.string(), z.string().min(1)).optional(),
  usageRequirements: z.string().min(1).optional(),
  /** CDS Hooks 3.0 ballot fields; harmless for 2.0 clients. */
  hookVersion: z.string().min(1).optional(),
  extension: extensionSchema.optional(),
});
export type ServiceDefinition = z.infer<typeof serviceDefinitionSchema>;

export const discoveryResponseSchema = z.object({ services: z.array(serviceDefinitionSchema) });
