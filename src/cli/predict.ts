import type { ValidationIssue } from '../errors.js';
import { isRejected, type Prediction, type RejectedRecord } from '../outputs/postprocess.js';
import type { Predictor } from '../predictor.js';
import { parseInput, type InputFormat, type ParsedInput } from './input.js';
import { progressBar } from './progress.js';

/** Records per predictBatch call: small enough for a smooth progress bar, large enough to stay fast. */
const CHUNK = 2000;
/** Inputs at least this long get a progress bar on a terminal without asking. */
const LARGE_INPUT = 10_000;
/** Issues printed before the rest are only counted. */
const SHOWN_ISSUES = 20;

/** The `predict` command's flags, resolved. */
export interface PredictOptions {
  format: InputFormat | undefined;
  ndjson: boolean;
  /** `true` forces the bar, `undefined` shows it for large inputs on a terminal. */
  progress: boolean | undefined;
  strict: boolean;
  invalid: 'reject' | 'report';
  /** Shown in messages, e.g. the file name or `stdin`. */
  source: string;
}

/** What a run produced: the text for stdout (empty when nothing may be written), messages for stderr, and the exit code. */
export interface PredictResult {
  output: string;
  messages: string[];
  exitCode: number;
}

/** Predicts every record of `text`; in `reject` mode one invalid record means no output at all. */
export async function runPredict(predictor: Predictor, text: string, options: PredictOptions): Promise<PredictResult> {
  const input: ParsedInput = parseInput(text, predictor.info.inputs, options.format);
  const { records } = input;
  const bar = progressBar(
    process.stderr,
    records.length,
    options.progress ?? (process.stderr.isTTY === true && records.length >= LARGE_INPUT),
  );
  // Report mode always: a reject-mode error would stop at the first bad chunk and hide later ones.
  const results: Array<Prediction | RejectedRecord> = [];
  for (let start = 0; start < records.length; start += CHUNK) {
    const chunk = records.slice(start, start + CHUNK);
    const out = await predictor.predictBatch(chunk, { invalid: 'report', strict: options.strict });
    for (const r of out) {
      if (isRejected(r)) for (const issue of r.error.issues) issue.index += start;
      results.push(r);
    }
    bar.update(Math.min(records.length, start + CHUNK));
  }
  bar.finish();

  const rejected = results.filter(isRejected);
  const messages: string[] = [];
  if (rejected.length) {
    const issues = rejected.flatMap((r) => r.error.issues);
    for (const issue of issues.slice(0, SHOWN_ISSUES)) messages.push(describeIssue(issue, input, options.source));
    if (issues.length > SHOWN_ISSUES) messages.push(`… and ${issues.length - SHOWN_ISSUES} more issues`);
    const summary = `${rejected.length} of ${records.length} records invalid`;
    if (options.invalid === 'reject') {
      messages.push(`${summary}; no predictions written (use --invalid report to predict the valid ones)`);
      return { output: '', messages, exitCode: 1 };
    }
    messages.push(`${summary}; reported in place as {"error": …}`);
  }
  return { output: format(results, input.single, options.ndjson), messages, exitCode: 0 };
}

/** `stdin: record 3 (line 5), field "temperature": expected a number, got the string "warm"` */
export function describeIssue(issue: ValidationIssue, input: Pick<ParsedInput, 'lines'>, source: string): string {
  const line = input.lines[issue.index];
  const where = `record ${issue.index}${line === undefined ? '' : ` (line ${line})`}`;
  const field = issue.path ? `, field "${issue.path}"` : '';
  return `${source}: ${where}${field}: ${issue.message}`;
}

function format(results: ReadonlyArray<Prediction | RejectedRecord>, single: boolean, ndjson: boolean): string {
  if (ndjson) return results.map((r) => `${JSON.stringify(r)}\n`).join('');
  if (single) return `${JSON.stringify(results[0])}\n`;
  if (!results.length) return '[]\n';
  // One prediction per line: still one JSON document, but diffable and greppable.
  return `[\n${results.map((r) => JSON.stringify(r)).join(',\n')}\n]\n`;
}
