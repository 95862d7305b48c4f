import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { FeaturecastError } from '../errors.js';
import { CliError, EXIT, parse } from './args.js';
import { bundleCommand, checkCommand, featuresCommand, fitCommand, trainCommand } from './build.js';
import { HELP, USAGE } from './help.js';
import { load } from './load.js';
import { describeInfo } from './info.js';
import { formatOfPath, InputError, type InputFormat } from './input.js';
import { runPredict } from './predict.js';
import { serveCommand } from './serve.js';

/**
 * The `featurecast` command. Exit codes: 0 done, 1 bad input (unreadable, unparsable or invalid
 * records), 2 bad usage, 3 the bundle could not be loaded or run.
 */

const common = { bundle: { type: 'string' }, engine: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;

/** Runs one command line (without `node` and the script); resolves to the exit code. Long-running `serve` resolves when stopped. */
export async function runCli(argv: readonly string[]): Promise<number> {
  try {
    return await dispatch(argv);
  } catch (error) {
    const [message, code] = explain(error);
    process.stderr.write(`featurecast: ${message}\n`);
    return code;
  }
}

async function dispatch(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    process.stderr.write(HELP.main);
    return EXIT.usage;
  }
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(HELP.main);
    return EXIT.ok;
  }
  if (command === '--version' || command === '-v') {
    const pkg = JSON.parse(await readFile(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as { version: string };
    process.stdout.write(`${pkg.version}\n`);
    return EXIT.ok;
  }
  if (!Object.hasOwn(COMMANDS, command)) throw new CliError(`unknown command "${command}"\n${USAGE}`, EXIT.usage);
  const name = command as keyof typeof COMMANDS;
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(HELP[name]);
    return EXIT.ok;
  }
  return COMMANDS[name](rest);
}

const build = (run: (p: Parameters<typeof fitCommand>[0]) => Promise<number>, command: string) => (args: readonly string[]) =>
  run((options, positionals = 0) => parse(args, { ...options, help: { type: 'boolean', short: 'h' } }, command, positionals));

const COMMANDS = {
  predict: predictCommand,
  serve: serveCommand,
  info: infoCommand,
  fit: build(fitCommand, 'fit'),
  features: build(featuresCommand, 'features'),
  train: build(trainCommand, 'train'),
  bundle: build(bundleCommand, 'bundle'),
  check: build(checkCommand, 'check'),
} satisfies Record<string, (args: readonly string[]) => Promise<number>>;

async function predictCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = parse(
    args,
    {
      ...common,
      format: { type: 'string' },
      ndjson: { type: 'boolean' },
      progress: { type: 'boolean' },
      strict: { type: 'boolean' },
      invalid: { type: 'string' },
    },
    'predict',
    1,
  );
  const format = values.format as string | undefined;
  if (format !== undefined && format !== 'json' && format !== 'ndjson' && format !== 'csv') {
    throw new CliError(`--format must be json, ndjson or csv, not "${format}"`, EXIT.usage);
  }
  const invalid = (values.invalid as string | undefined) ?? 'reject';
  if (invalid !== 'reject' && invalid !== 'report') throw new CliError(`--invalid must be reject or report, not "${invalid}"`, EXIT.usage);
  const file = positionals[0] === '-' ? undefined : positionals[0];
  if (file === undefined && process.stdin.isTTY) {
    throw new CliError('no input: give a file, or pipe records on stdin\nSee: featurecast predict --help', EXIT.usage);
  }
  const source = file ?? 'stdin';
  // Reading the input and loading the model overlap; both take a while for large inputs.
  const loading = load(values);
  loading.catch(() => {});
  let text: string;
  try {
    text = file === undefined ? await readStdin() : await readFile(file, 'utf8');
  } catch (error) {
    await loading.then(
      (p) => p.dispose(),
      () => {},
    );
    throw new CliError(`cannot read ${source}: ${(error as Error).message}`, EXIT.input);
  }
  const predictor = await loading;
  try {
    const result = await runPredict(predictor, text, {
      format: (format as InputFormat | undefined) ?? (file ? formatOfPath(file) : undefined),
      ndjson: values.ndjson === true,
      progress: values.progress === true ? true : undefined,
      strict: values.strict === true,
      invalid,
      source,
    });
    for (const message of result.messages) process.stderr.write(`featurecast: ${message}\n`);
    if (result.output) await write(result.output);
    return result.exitCode;
  } catch (error) {
    if (error instanceof InputError) {
      throw new CliError(`${source}${error.line === undefined ? '' : `:${error.line}`}: ${error.message}`, EXIT.input);
    }
    throw error;
  } finally {
    await predictor.dispose();
  }
}

async function infoCommand(args: readonly string[]): Promise<number> {
  const { values } = parse(args, { ...common, json: { type: 'boolean' } }, 'info');
  const predictor = await load(values);
  try {
    await write(values.json ? `${JSON.stringify(predictor.info, null, 2)}\n` : describeInfo(predictor.info));
  } finally {
    await predictor.dispose();
  }
  return EXIT.ok;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Resolves once the text is handed to the OS; a closed pipe (`| head`) is not an error. */
function write(text: string): Promise<void> {
  return new Promise((done) => {
    process.stdout.once('error', () => done());
    process.stdout.write(text, () => done());
  });
}

function explain(error: unknown): [string, number] {
  if (error instanceof CliError) return [error.message, error.exitCode];
  if (error instanceof FeaturecastError) {
    // Bad training data or a bad spec is bad input; everything else is about the bundle or engine (predict reports invalid records itself).
    return [error.message, error.code === 'ERR_DATA' || error.code === 'ERR_SPEC' ? EXIT.input : EXIT.bundle];
  }
  return [`unexpected error: ${error instanceof Error ? error.message : String(error)}`, EXIT.bundle];
}
