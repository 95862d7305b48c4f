/**
 * Messages as a worker can receive them. postMessage cannot copy functions, symbols or Proxies
 * (a Vue or MobX reactive record is a Proxy), while the inline engine reads those like any
 * value. So when postMessage refuses a message, it is copied down to the values it could not
 * copy, and each is replaced by one the record reader treats exactly as it treats the original:
 * an object or array by a plain copy of its own enumerable keys, a function or symbol by a
 * stand-in it describes as `function` or `symbol`. The worker then answers, and words its
 * issues, as the inline engine does.
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
  if (typeof value === 'function' || typeof value === 'symbol') return { [STAND_IN]: typeof value };
  if (typeof value !== 'object' || value === null) return value;
  if ((typeof MessagePort !== 'undefined' && value instanceof MessagePort) || copyable(value)) return value;
  if (Array.isArray(value)) return Array.from(value, sendable);
  const plain: Record<string, unknown> = {};
  for (const key of Object.keys(value)) plain[key] = sendable((value as Record<string, unknown>)[key]);
  return plain;
}
