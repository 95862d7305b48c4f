// The public API, and nothing else: everything not listed here is internal.
export { createPredictor } from './predictor.js';
export type { Predictor, PredictorOptions, CallOptions, BatchOptions } from './predictor.js';
export type { BundleSource, BundleData, BundleUrls, LoadProgress } from './engine/loading/source.js';
export { isRejected } from './outputs/postprocess.js';
export type { Prediction, RejectedRecord } from './outputs/postprocess.js';
export { printableValue } from './schema/record.js';
export type { Warning } from './schema/record.js';
export type { BundleInfo } from './schema/info.js';
export type { EngineChoice, EngineName } from './engine/engines/session.js';
export type { MonitorSnapshot } from './monitor/monitor.js';
export type { DriftSnapshot, FieldDrift, DriftStatus } from './monitor/drift.js';
export type { AccuracySnapshot, Actual } from './monitor/accuracy.js';
export type { Manifest, InputField, FeatureStep, Postprocess, OutOfRangePolicy } from './schema/manifest.js';
export { manifestSchema, FORMAT_VERSION } from './schema/manifest.js';
export {
  FeaturecastError,
  ValidationError,
  BundleError,
  EngineError,
  WorkerCrashedError,
  TimeoutError,
  AbortedError,
  DisposedError,
  SpecError,
  DataError,
  UnsupportedError,
} from './errors.js';
export type { ErrorCode, ValidationIssue, IssueKind } from './errors.js';
export { createFetchHandler } from './server/handler.js';
export type { FetchHandler, FetchHandlerOptions } from './server/handler.js';
export type { HandlerRoute, HandlerRoutes, RouteContext, RouteRequest } from './server/routes.js';
export { HttpError } from './server/http.js';
export type { HttpErrorCode, ErrorBody } from './server/http.js';
export { calendarOf } from './features/calendar-of.js';
export type { CalendarDay } from './features/calendar-of.js';
