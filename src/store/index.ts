export * from './types';
export { storeConfigSchema, storeConfigFromEnv, createStore, openStore } from './config';
export { patientKey } from './patient-key';
export { createCardLogWriter } from './writer';
export { startRetentionJob, runRetention } from './retention';
