/**
 * The leaf every folder may import: shared ids, codes, evidence status and small helpers. It imports nothing from
 * the rest of `src/` (the dependency rules in .dependency-cruiser.cjs hold it to that).
 */
export * from './ids';
export * from './coding';
export * from './evidence-status';
export * from './issue-path';
export * from './data-issues';
