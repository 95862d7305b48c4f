/**
 * Messages as a worker can receive them. postMessage cannot copy functions, symbols or Proxies
 * (a Vue or MobX reactive record is a Proxy), while the inline engine reads those like any
 * value. So when postMessage refuses a message, it is copied down to the values it could not
 * copy, and each is replaced by one the record reader treats exactly as it treats the original:
 * an object or array by a plain copy of its own enumerable keys (a cycle stays a cycle), a
 * function or symbol by a stand-in it describes as `function` or `symbol`. The worker then
 * answers, and words its issues, as the inline engine does.
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

/** `value` with what postMessage cannot copy replaced as described above; message ports (comlink's callbacks) travel as transfers and stay. */
export function sendable(value: unknown): unknown {
  return copy(value, new Map());
}

/**
 * `copies` maps each object copied so far to its copy: a value met again (a cycle, or one object
 * in two places) becomes that same copy, as structured clone would make it. So a cycle stays a
 * cycle, the copy ends, and the reader sees what it sees inline, e.g. a record as its own field.
 */
function copy(value: unknown, copies: Map<object, unknown>): unknown {
  if (typeof value === 'function' || typeof value === 'symbol') return { [STAND_IN]: typeof value };
  if (typeof value !== 'object' || value === null) return value;
  if (copies.has(value)) return copies.get(value);
  if ((typeof MessagePort !== 'undefined' && value instanceof MessagePort) || copyable(value)) return value;
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    copies.set(value, items);
    for (const item of value as unknown[]) items.push(copy(item, copies));
    return items;
  }
  const plain: Record<string, unknown> = {};
  copies.set(value, plain);
  for (const key of Object.keys(value)) plain[key] = copy((value as Record<string, unknown>)[key], copies);
  return plain;
}
