/**
 * CDS Hooks 2.0 response schemas, strict where the spec is strict: these validate every card this
 * service emits (in tests) and the spec's own examples. Optional fields must be omitted rather than
 * sent empty, so strings are non-empty and arrays non-empty where present.
 */
import { z } from 'zod';
import { codingSchema, extensionSchema, uuidSchema } from './common';

const nonEmpty = z.string().min(1);

export const overrideReasonSchema = codingSchema.extend({ system: nonEmpty, display: nonEmpty });

const actionShape = {
  type: z.enum(['create', 'update', 'delete']),
  /** Required by CDS Hooks 2.0 for card suggestions' actions. */
  description: nonEmpty,
  resource: z.record(z.string(), z.unknown()).optional(),
  resourceId: nonEmpty.optional(),
  extension: extensionSchema.optional(),
};

function actionTarget(a: { type: string; resource?: unknown; resourceId?: string }, ctx: z.RefinementCtx): void {
  if ((a.type === 'create' || a.type === 'update') && !a.resource) {
    ctx.addIssue({ code: 'custom', path: ['resource'], message: `${a.type} needs a resource` });
  }
  if (a.type === 'delete' && !a.resourceId && !a.resource) {
    ctx.addIssue({ code: 'custom', path: ['resourceId'], message: 'delete needs a resourceId' });
  }
}

export const actionSchema = z.object(actionShape).superRefine(actionTarget);

/** The spec's own systemActions example omits `description`, so it stays optional there. */
const systemActionSchema = z.object({ ...actionShape, description: nonEmpty.optional() }).superRefine(actionTarget);

const suggestionSchema = z.object({
  label: nonEmpty,
  uuid: uuidSchema.optional(),
  isRecommended: z.boolean().optional(),
  actions: z.array(actionSchema).min(1).optional(),
  extension: extensionSchema.optional(),
});

const linkSchema = z
  .object({
    label: nonEmpty,
    url: z.url(),
    type: z.enum(['absolute', 'smart']),
    appContext: nonEmpty.optional(),
    autolaunchable: z.boolean().optional(),
    extension: extensionSchema.optional(),
  })
  .superRefine((l, ctx) => {
    if (l.appContext !== undefined && l.type !== 'smart') {
      ctx.addIssue({ code: 'custom', path: ['appContext'], message: 'appContext is only allowed on smart links' });
    }
  });

const sourceSchema = z.object({
  label: nonEmpty,
  url: z.url().optional(),
  icon: z.url().optional(),
  topic: codingSchema.optional(),
  extension: extensionSchema.optional(),
});

const cardSchema = z
  .object({
    uuid: uuidSchema.optional(),
    summary: nonEmpty.max(139, 'summary must be under 140 characters'),
    detail: nonEmpty.optional(),
    indicator: z.enum(['info', 'warning', 'critical']),
    source: sourceSchema,
    suggestions: z.array(suggestionSchema).min(1).optional(),
    selectionBehavior: z.enum(['at-most-one', 'any']).optional(),
    overrideReasons: z.array(overrideReasonSchema).min(1).optional(),
    links: z.array(linkSchema).min(1).optional(),
    extension: extensionSchema.optional(),
  })
  .superRefine((c, ctx) => {
    if (c.suggestions && !c.selectionBehavior) {
      ctx.addIssue({ code: 'custom', path: ['selectionBehavior'], message: 'required when suggestions are present' });
    }
  });
export type Card = z.infer<typeof cardSchema>;

export const cardsResponseSchema = z.object({
  cards: z.array(cardSchema),
  systemActions: z.array(systemActionSchema).min(1).optional(),
});

/** Cards this service emits must also carry a uuid on the card and on every suggestion (feedback needs them). */
export const ownCardSchema = cardSchema.and(
  z.object({
    uuid: uuidSchema,
    suggestions: z.array(z.object({ uuid: uuidSchema }).loose()).optional(),
  }),
);
