/**
 * The evidence view: a SMART on FHIR app, served by this service, that shows a card's full evidence — every
 * criterion, trend charts, the exposure timeline — computed in the browser by the same engine and knowledge.
 * `evidenceRouter` serves it; ./card-link.ts is what cards link to.
 */
export { evidenceRouter } from './router';
