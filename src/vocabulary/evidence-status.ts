/**
 * Evidence status of a knowledge value: `confirmed` (seen in the named source, or in two concordant
 * reproductions of it), `reproduced` (taken from secondary reproductions of a paper whose own tables could not
 * be read), `design` (a product decision, not a guideline; configurable and said so in the card's provenance).
 */
export const KNOWLEDGE_STATUSES = ['confirmed', 'reproduced', 'design'] as const;
export type KnowledgeStatus = (typeof KNOWLEDGE_STATUSES)[number];
