/**
 * Shapes of the evidence view: what the page receives (PageConfig, embedded by the service or by
 * `evaluate --format html`), where the patient's data came from (DataSource), and the view model the page
 * renders (EvidenceView). Plain JSON, no DOM: the view model is built and tested in Node.
 */
import type { Knowledge } from '../../knowledge';
import type { CardContent } from '../../render/content';
import type { EvidenceAppContext } from '../../render/app-context';
import type { DataIssue } from '../../timeline/types';
import type { EvidenceContent } from '../content';

export interface PageConfig {
  versions: { assessment: string; knowledge: string; content: string; extension: string };
  /** The service's effective knowledge (site overrides applied): the same the hook's engine uses. */
  knowledge: Knowledge;
  /** The site's IANA time zone (SITE_TIMEZONE): day numbering and window ends, as in the hook. */
  timeZone: string;
  cards: Omit<CardContent, 'dir'>;
  evidence: EvidenceContent;
  /** The discovery prefetch templates: the query list the page reads the patient's data with. */
  queries: Record<string, string>;
  /** The service's FHIR bounds: pages per query, `Medication/{id}` reads per evaluation. */
  fhir: { maxPages: number; maxMedicationReads?: number };
  smart: { clientId: string; scope: string };
  /** Origins the page's CSP lets it connect to (the page checks `iss` against them to explain a refusal). */
  connect: string[];
}

type SourceMode = 'ehr' | 'standalone' | 'offline';

export interface DataSource {
  mode: SourceMode;
  /** FHIR base URL, or the file name for offline files. */
  server: string;
  patientId: string;
  /** Resources and Bundles as read (the timeline builder flattens them). */
  resources: unknown[];
  /** Queries that failed or were truncated: shown with the data issues. */
  issues: DataIssue[];
  asOf: string;
  asOfFrom: 'card' | 'query' | 'now' | 'file';
  appContext?: EvidenceAppContext;
}

type CellState = 'met' | 'not-met' | 'unknown';

export interface TableRow {
  cells: string[];
  state?: CellState;
  /** 1 for a component (lineage, arm) of the row above. */
  depth: 0 | 1;
}

export interface TableView {
  id: string;
  title: string;
  notes: string[];
  header: string[];
  rows: TableRow[];
}

export interface ChartPoint {
  /** Epoch ms. */
  t: number;
  value: number;
  series: string;
  /** Tooltip / accessible text: value, unit, time, as reported, status. */
  text: string;
  /** Inside the lookback window the criteria read. */
  inLookback: boolean;
  time: string;
  /** The value as plotted, with its unit. */
  display: string;
  reported: string;
  status: string;
  source: string;
}

export interface ChartLine {
  value: number;
  label: string;
  kind: 'threshold' | 'uln' | 'lln' | 'baseline';
}

export interface ChartView {
  id: string;
  title: string;
  unit: string;
  /** Log for analytes that span orders of magnitude (when every value is positive). */
  scale: 'linear' | 'log';
  /** [start, end] epoch ms, shared by every chart. */
  domain: [number, number];
  lookbackStart: number;
  asOf: number;
  day0?: number;
  series: Array<{ analyte: string; label: string; count: number }>;
  points: ChartPoint[];
  lines: ChartLine[];
  /** One-sentence description (aria-description and the text under the title). */
  summary: string;
}

export interface TimelineEvent {
  t: number;
  kind: 'day0' | 'dose' | 'increase' | 'last' | 'crs' | 'asOf';
  label: string;
  lane: string;
}

export interface ExposureView {
  header: string[];
  /** The timeline picture's accessible name. */
  chartLabel: string;
  rows: TableRow[];
  events: TimelineEvent[];
  /** CRS episodes and screening windows as intervals on the timeline. */
  spans: Array<{ start: number; end: number; label: string; lane: string; kind: 'crs' | 'window' }>;
  domain: [number, number];
  /** The markers present, in timeline order: [event kind, label]. */
  legend: Array<[TimelineEvent['kind'], string]>;
  dayText?: string;
  empty?: string;
}

export interface EvidenceView {
  title: string;
  disclaimer: string;
  mode: string;
  patient?: string;
  indicator?: 'info' | 'warning' | 'critical';
  indicatorText?: string;
  summary?: string;
  noCard?: string;
  provenance: { rows: Array<[string, string]>; notices: Array<{ kind: 'ok' | 'warn'; text: string }> };
  exposure: ExposureView;
  tables: TableView[];
  alternatives: string[];
  charts: ChartView[];
  missing: string[];
  dataIssues: Array<{ severity: string; text: string }>;
  sources: Array<{ label: string; url?: string }>;
  citations: string[];
  digest: string;
  sections: EvidenceContent['sections'];
  chartHint: string;
}
