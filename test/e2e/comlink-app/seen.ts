// Shared by the comlink app page and its worker (not imported from app-worker.ts: that module exposes itself).

/** What the page sees of the error it gets, as plain data: comlink's handling decides every field. */
export interface SeenError {
  isError: boolean;
  constructorName: string | undefined;
  name: unknown;
  message: unknown;
  hasStack: boolean;
  extra: unknown;
  code: unknown;
  ownKeys: string[];
}

/** Describes whatever was thrown, so page and worker report it alike. */
export function seen(error: unknown): SeenError {
  const e = error as Record<string, unknown> | null | undefined;
  return {
    isError: error instanceof Error,
    constructorName: (e?.constructor as { name?: string } | undefined)?.name,
    name: e?.name,
    message: e?.message,
    hasStack: typeof e?.stack === 'string' && e.stack.length > 0,
    extra: e?.extra,
    code: e?.code,
    ownKeys: e && typeof e === 'object' ? Object.keys(e).sort() : [],
  };
}
