/**
 * Records as a worker can receive them. postMessage cannot copy functions, symbols or Proxies
 * (a Vue or MobX reactive record is a Proxy), while the inline engine reads those like any
 * value. So when postMessage refuses a batch, its records are copied into plain objects of their
 * own keys, and each value postMessage cannot copy is replaced by one the reader treats exactly
 * as it treats the original: a function or symbol by a stand-in it describes as `function` or
 * `symbol`, any other object by an empty one (or array) of the same shape to describe. The
 * worker then answers, and words its issues, as the inline engine does.
 */

const STAND_IN = 'featurecast:unsendable';

type Unsendable = 'function' | 'symbol';

/** What a stand-in replaced (`function` or `symbol`); undefined for every other value. */
export function unsendableType(value: unknown): Unsendable | undefined {
  if (typeof value !== 'object' || value === null || !Object.hasOwn(value, STAND_IN)) return undefined;
  return (value as Record<typeof STAND_IN, Unsendable>)[STAND_IN];
}

/** True for the error postMessage throws for a value it cannot copy. */
export function isDataCloneError(error: unknown): boolean {
  return typeof DOMException !== 'undefined' && error instanceof DOMException && error.name === 'DataCloneError';
}

function copyable(value: unknown): boolean {
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
}

/** `value`, or what stands in for it when postMessage cannot copy it. */
function sendableValue(value: unknown): unknown {
  if (typeof value === 'function' || typeof value === 'symbol') return { [STAND_IN]: typeof value };
  if (typeof value !== 'object' || value === null || copyable(value)) return value;
  return Array.isArray(value) ? new Array(value.length) : {};
}

/** `records` with every record postMessage cannot copy replaced as described above; `fieldNames` are the schema's inputs. */
export function sendableRecords(records: readonly unknown[], fieldNames: readonly string[]): unknown[] {
  return records.map((record) => {
    if (typeof record !== 'object' || record === null) return sendableValue(record);
    if (copyable(record)) return record;
    if (Array.isArray(record)) return new Array(record.length);
    const plain: Record<string, unknown> = {};
    // The reader takes declared fields by hasOwn (non-enumerable ones too), strict mode the rest by Object.keys.
    for (const key of [...Object.keys(record), ...fieldNames.filter((name) => Object.hasOwn(record, name))]) {
      plain[key] = sendableValue((record as Record<string, unknown>)[key]);
    }
    return plain;
  });
}
