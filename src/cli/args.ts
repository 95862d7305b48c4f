import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Exit codes, argument parsing and usage errors shared by every command. */

/** Exit codes, as documented in `featurecast --help`. */
export const EXIT = { ok: 0, input: 1, usage: 2, bundle: 3 } as const;

/** A failure with the message to print and the exit code to leave with. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** Parsed flags and positionals of one command. */
export type Parsed = { values: Values; positionals: string[] };

export type Values = Record<string, string | boolean | Array<string | boolean> | undefined>;

/** Parses a command's arguments strictly; a mistake is a usage error pointing at the command's help. */
export function parse(args: readonly string[], options: NonNullable<ParseArgsConfig['options']>, command: string, positionals = 0): Parsed {
  let parsed: Parsed;
  try {
    parsed = parseArgs({ args: [...args], options, allowPositionals: positionals > 0, strict: true }) as Parsed;
  } catch (error) {
    throw new CliError(`${(error as Error).message}\nSee: featurecast ${command} --help`, EXIT.usage);
  }
  if (parsed.positionals.length > positionals) {
    throw new CliError(`unexpected argument "${parsed.positionals[positionals]}"\nSee: featurecast ${command} --help`, EXIT.usage);
  }
  return parsed;
}

/** An integer flag within bounds, or the fallback when absent. */
export function integer(text: string | undefined, flag: string, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) throw new CliError(`${flag} must be an integer ${min}–${max}, not "${text}"`, EXIT.usage);
  return n;
}
