// TEMPORARY stand-in until the streaming reader lands (branch data-reader).
import { readFile } from 'node:fs/promises';
import { parseInput } from '../cli/input.js';
import type { InputField } from '../schema/manifest.js';

export class DataError extends Error {
  constructor(message: string, readonly line?: number, readonly file?: string) {
    super(message);
  }
}

export async function* readRecords(
  path: string,
  options: { fields?: readonly Pick<InputField, 'name' | 'type'>[]; onProgress?: (bytesRead: number, totalBytes: number) => void } = {},
): AsyncIterable<{ record: Record<string, unknown>; line: number }> {
  const text = await readFile(path, 'utf8');
  const parsed = parseInput(text, (options.fields ?? []) as InputField[]);
  options.onProgress?.(text.length, text.length);
  for (let i = 0; i < parsed.records.length; i++) yield { record: parsed.records[i] as Record<string, unknown>, line: parsed.lines[i] ?? i + 1 };
}

export function formatFloat32(x: number): string {
  const f = Math.fround(x);
  if (Number.isNaN(f)) return '';
  for (let p = 1; p <= 9; p++) {
    const s = String(Number(f.toPrecision(p)));
    if (Math.fround(Number(s)) === f) return s;
  }
  return String(f);
}
