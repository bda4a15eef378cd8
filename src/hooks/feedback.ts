/** CDS Hooks 2.0 feedback body (spec §"Feedback"). */
import { z } from 'zod';
import { codingSchema, extensionSchema, uuidSchema } from './common';

const feedbackItemSchema = z
  .object({
    card: uuidSchema,
    outcome: z.enum(['accepted', 'overridden']),
    acceptedSuggestions: z.array(z.object({ id: uuidSchema })).optional(),
    overrideReason: z
      .object({
        reason: codingSchema.optional(),
        userComment: z.string().max(10_000).optional(),
      })
      .optional(),
    outcomeTimestamp: z.iso.datetime({ offset: true }),
    extension: extensionSchema.optional(),
  })
  .superRefine((f, ctx) => {
    if (f.outcome === 'accepted' && (!f.acceptedSuggestions || f.acceptedSuggestions.length === 0)) {
      ctx.addIssue({ code: 'custom', path: ['acceptedSuggestions'], message: 'required when outcome is accepted' });
    }
    if (f.outcome === 'accepted' && f.overrideReason) {
      ctx.addIssue({ code: 'custom', path: ['overrideReason'], message: 'only allowed when outcome is overridden' });
    }
  });
export type FeedbackItem = z.infer<typeof feedbackItemSchema>;

export const feedbackRequestSchema = z.object({ feedback: z.array(feedbackItemSchema).min(1).max(1000) });
