import { readFile, writeFile } from 'node:fs/promises';
import { bundleModel, writeBundle } from '../build/bundle.js';
import { checkBundle } from '../build/check.js';
import { writeFeatures } from '../build/features.js';
import { fitPipeline, parsePipeline, type FittedPipeline } from '../build/fit.js';
import type { BuildProgress } from '../build/rows.js';
import { trainModel, type GbdtParams, type Trained } from '../build/train.js';
import { CliError, EXIT, type Parsed } from './args.js';

/** The build-side commands: fit, features, train, bundle, check. Each reads files, writes files, and reports on stderr. */

type Parse = (options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>, positionals?: number) => Parsed;

const log = (line: string) => process.stderr.write(`featurecast: ${line}\n`);

/** A progress line on stderr: redrawn in place on a terminal, every 10 % otherwise. */
function progress(quiet: boolean): (p: BuildProgress) => void {
  if (quiet) return () => {};
  const tty = process.stderr.isTTY === true;
  let last = '';
  return ({ stage, done, total, unit }) => {
    const share = total ? done / total : undefined;
    const amount =
      unit === 'bytes'
        ? `${(done / 1048576).toFixed(1)}${total ? `/${(total / 1048576).toFixed(1)}` : ''} MB`
        : `${done}${total ? `/${total}` : ''} ${unit}`;
    if (tty) {
      const bar = share === undefined ? '' : `[${'#'.repeat(Math.round(share * 24)).padEnd(24, '.')}] `;
      process.stderr.write(`\r${stage}: ${bar}${amount}   `);
      if (share === 1) process.stderr.write('\n');
      return;
    }
    const tenth = share === undefined ? '' : `${stage}:${Math.floor(share * 10)}`;
    if (tenth === last) return;
    last = tenth;
    process.stderr.write(`${stage}: ${share === undefined ? '' : `${Math.floor(share * 100)}% `}(${amount})\n`);
  };
}

function required(values: Parsed['values'], flag: string, command: string): string {
  const v = values[flag];
  if (typeof v !== 'string' || !v) throw new CliError(`${command} needs --${flag}\nSee: featurecast ${command} --help`, EXIT.usage);
  return v;
}

async function readJson(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${what} ${path}: ${(error as Error).message}`, EXIT.input);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(`${path} is not valid JSON: ${(error as Error).message}`, EXIT.input);
  }
}

const readPipeline = async (path: string): Promise<FittedPipeline> => parsePipeline(await readJson(path, 'pipeline'));

export async function fitCommand(parse: Parse): Promise<number> {
  const { values } = parse({ spec: { type: 'string' }, data: { type: 'string' }, out: { type: 'string' }, quiet: { type: 'boolean' } });
  const [specPath, data, out] = (['spec', 'data', 'out'] as const).map((flag) => required(values, flag, 'fit')) as [string, string, string];
  const pipeline = await fitPipeline(await readJson(specPath, 'spec'), data, { onProgress: progress(values.quiet === true) });
  await writeFile(out, `${JSON.stringify(pipeline, null, 2)}\n`);
  log(
    `fitted ${pipeline.inputs.length} inputs and ${pipeline.features.length} steps → ${pipeline.columns.length} columns on ${pipeline.training.rows} rows; wrote ${out}`,
  );
  return EXIT.ok;
}

export async function featuresCommand(parse: Parse): Promise<number> {
  const { values, positionals } = parse(
    { pipeline: { type: 'string' }, keep: { type: 'string', multiple: true }, out: { type: 'string' }, quiet: { type: 'boolean' } },
    1,
  );
  const data = positionals[0];
  if (!data) throw new CliError('features needs a data file\nSee: featurecast features --help', EXIT.usage);
  const [pipelinePath, out] = (['pipeline', 'out'] as const).map((flag) => required(values, flag, 'features')) as [string, string];
  const pipeline = await readPipeline(pipelinePath);
  const keep = ((values.keep as string[] | undefined) ?? [])
    .flatMap((k) => k.split(','))
    .map((k) => k.trim())
    .filter(Boolean);
  const rows = await writeFeatures(pipeline, data, out, { keep, onProgress: progress(values.quiet === true) });
  log(`wrote ${rows} rows × ${pipeline.columns.length} features${keep.length ? ` + ${keep.join(', ')}` : ''} to ${out}`);
  return EXIT.ok;
}

const PARAM_FLAGS = ['trees', 'depth', 'learning-rate', 'min-leaf', 'subsample', 'bins', 'l2', 'seed'] as const;
const PARAM_OF: Record<(typeof PARAM_FLAGS)[number], keyof GbdtParams> = {
  trees: 'nTrees',
  depth: 'maxDepth',
  'learning-rate': 'learningRate',
  'min-leaf': 'minSamplesLeaf',
  subsample: 'subsample',
  bins: 'maxBins',
  l2: 'l2',
  seed: 'seed',
};

export async function trainCommand(parse: Parse): Promise<number> {
  const flags = Object.fromEntries(PARAM_FLAGS.map((f) => [f, { type: 'string' as const }]));
  const { values } = parse({
    pipeline: { type: 'string' },
    data: { type: 'string' },
    target: { type: 'string' },
    out: { type: 'string' },
    quiet: { type: 'boolean' },
    ...flags,
  });
  const params: Partial<GbdtParams> = {};
  for (const flag of PARAM_FLAGS) {
    const text = values[flag];
    if (typeof text !== 'string') continue;
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n)) throw new CliError(`--${flag} must be a number, not "${text}"`, EXIT.usage);
    params[PARAM_OF[flag]] = n;
  }
  const [pipelinePath, data, target, out] = (['pipeline', 'data', 'target', 'out'] as const).map((flag) =>
    required(values, flag, 'train'),
  ) as [string, string, string, string];
  const pipeline = await readPipeline(pipelinePath);
  let trained: Trained;
  try {
    trained = await trainModel(pipeline, data, { target, params, onProgress: progress(values.quiet === true) });
  } catch (error) {
    if (error instanceof RangeError) throw new CliError(error.message, EXIT.usage);
    throw error;
  }
  await writeBundle(out, trained.bundle);
  const { manifest, model } = trained.bundle;
  log(
    `trained ${trained.ensemble.trees.length} trees (final training MSE ${trained.trainLoss.at(-1)?.toPrecision(4)}); wrote ${out}/manifest.json and ${out}/${manifest.model.file} (${model.byteLength} bytes)`,
  );
  return EXIT.ok;
}

export async function bundleCommand(parse: Parse): Promise<number> {
  const { values } = parse({
    pipeline: { type: 'string' },
    model: { type: 'string' },
    out: { type: 'string' },
    check: { type: 'string' },
    expect: { type: 'string' },
    output: { type: 'string' },
    quiet: { type: 'boolean' },
  });
  const [pipelinePath, model, out] = (['pipeline', 'model', 'out'] as const).map((flag) => required(values, flag, 'bundle')) as [
    string,
    string,
    string,
  ];
  const pipeline = await readPipeline(pipelinePath);
  const bundle = await bundleModel(pipeline, model, {
    ...(typeof values.check === 'string' ? { check: values.check } : {}),
    ...(typeof values.expect === 'string' ? { expect: values.expect } : {}),
    ...(typeof values.output === 'string' ? { outputName: values.output } : {}),
    onProgress: progress(values.quiet === true),
  });
  await writeBundle(out, bundle);
  const parity = bundle.parity;
  const checked = parity
    ? parity.worstRelativeDiff === undefined
      ? `; ${parity.rows} check rows predict`
      : `; ${parity.rows} check rows equal the expected predictions (worst relative difference ${parity.worstRelativeDiff.toExponential(2)})`
    : '';
  log(`wrote ${out}/manifest.json and ${out}/${bundle.manifest.model.file}${checked}`);
  return EXIT.ok;
}

export async function checkCommand(parse: Parse): Promise<number> {
  const { positionals, values } = parse({ json: { type: 'boolean' } }, 1);
  const location = positionals[0];
  if (!location) throw new CliError('check needs a bundle folder or manifest.json\nSee: featurecast check --help', EXIT.usage);
  const report = await checkBundle(location);
  if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else process.stdout.write(`${report.name} ${report.version}: ok\n${report.passed.map((p) => `  ✓ ${p}`).join('\n')}\n`);
  return EXIT.ok;
}
