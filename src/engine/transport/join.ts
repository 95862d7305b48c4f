import type { BatchColumns } from '../../outputs/postprocess.js';
import type { Warning } from '../../schema/record.js';

/**
 * Joins the worker's answers to consecutive slices of one batch into the batch's columns. Each
 * answer is added as it arrives, so its share of the work runs in the main-thread task that
 * received it instead of all of it at the end, after the last answer: with a third of the
 * records warned (e.g. dates past the training data), joining 100,000 records at once was one
 * long task of allocation and garbage collection.
 */
export class ColumnsJoiner {
  private readonly values: Float64Array;
  private bands: Uint8Array | null = null;
  private rejected: Uint8Array | null = null;
  private probabilities: Float32Array | null = null;
  private readonly warnings: BatchColumns['warnings'] = [];
  private readonly issues: BatchColumns['issues'] = [];
  /** The one kept copy of each equal string of the warnings (see `add`). */
  private readonly strings = new Map<string, string>();

  constructor(private readonly size: number) {
    this.values = new Float64Array(size);
  }

  /** Adds the answer for the records starting at `offset`. Add parts in record order: `toPredictions` reads warnings and issues in that order. */
  add(part: BatchColumns, offset: number): void {
    this.values.set(part.values, offset);
    if (part.bands) (this.bands ??= new Uint8Array(this.size)).set(part.bands, offset);
    if (part.rejected) (this.rejected ??= new Uint8Array(this.size)).set(part.rejected, offset);
    if (part.probabilities) {
      const classes = part.probabilities.length / part.values.length;
      (this.probabilities ??= new Float32Array(this.size * classes)).set(part.probabilities, offset * classes);
    }
    // A part was just deserialized and nobody else holds it: its warnings and issues move to
    // batch positions in place rather than being copied. Deserializing makes a new string for
    // every `field`, `kind` and string `received` (a date repeats across a batch); sharing one
    // copy of each equal string cuts what the result keeps alive, and what every
    // young-generation GC on this thread copies, by about a quarter.
    for (const warning of part.warnings) {
      warning.index += offset;
      warning.field = this.intern(warning.field);
      warning.kind = this.intern(warning.kind) as Warning['kind'];
      if (typeof warning.received === 'string') warning.received = this.intern(warning.received);
      this.warnings.push(warning);
    }
    for (const issue of part.issues) {
      issue.index += offset;
      this.issues.push(issue);
    }
  }

  private intern(text: string): string {
    const kept = this.strings.get(text);
    if (kept !== undefined) return kept;
    this.strings.set(text, text);
    return text;
  }

  /** The joined columns. */
  result(): BatchColumns {
    return {
      values: this.values,
      bands: this.bands,
      rejected: this.rejected,
      warnings: this.warnings,
      issues: this.issues,
      probabilities: this.probabilities,
    };
  }
}
