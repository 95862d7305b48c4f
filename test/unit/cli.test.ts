import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTsx, serveTsx, type Run } from '../fixtures/run-tsx.js';
import { createPredictor, type Predictor } from '../../src/index.js';
import { uciToRecord } from '../../models/bike-daily/uci.js';
import { readDayCsv } from '../../models/bike-daily/data.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = join(ROOT, 'src/cli/main.ts');
const records = readDayCsv().slice(0, 40).map(uciToRecord);
const dir = mkdtempSync(join(tmpdir(), 'featurecast-cli-'));
let predictor: Predictor;

beforeAll(async () => {
  predictor = await createPredictor(new URL('../../models/bike-daily/manifest.json', import.meta.url), { worker: false, cache: false });
});
afterAll(async () => {
  await predictor?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the CLI from source through tsx, as `featurecast …` would run dist/cli/main.js. */
const cli = (args: string[], stdin?: string): Promise<Run> => runTsx(MAIN, args, { cwd: ROOT, stdin });

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const plain = (x: unknown) => JSON.parse(JSON.stringify(x)) as unknown;

describe('featurecast CLI (child process)', { timeout: 60_000 }, () => {
  it('--help for the command and each subcommand', async () => {
    const commands = ['predict', 'serve', 'info', 'fit', 'features', 'train', 'bundle', 'check'];
    const [main, ...runs] = await Promise.all([cli(['--help']), ...commands.map((c) => cli([c, '--help']))]);
    expect(main!.code).toBe(0);
    expect(main!.stdout).toMatch(/featurecast predict/);
    runs.forEach((run, i) => {
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`^Usage: featurecast ${commands[i]}`));
    });
  });

  it('predict from a JSON file equals predictBatch', async () => {
    const run = await cli(['predict', '--bundle', 'models/bike-daily/manifest.json', file('days.json', JSON.stringify(records))]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(plain(await predictor.predictBatch(records)));
  });

  it('one JSON object in, one prediction out', async () => {
    const run = await cli(['predict', file('one.json', JSON.stringify(records[3]))]);
    expect(JSON.parse(run.stdout)).toEqual(plain(await predictor.predict(records[3])));
  });

  it('NDJSON from stdin to NDJSON on stdout', async () => {
    const run = await cli(
      ['predict', '--ndjson'],
      `${records
        .slice(0, 5)
        .map((r) => JSON.stringify(r))
        .join('\n')}\n`,
    );
    expect(run.code).toBe(0);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown);
    const expected = (await predictor.predictBatch(records.slice(0, 5))).map(plain);
    expect(lines).toEqual(expected);
  });

  it('CSV: numbers for numeric fields, true/false for booleans, quoted cells', async () => {
    const csv = [
      'date,temperature,feelsLike,humidity,windSpeed,weather,holiday,note',
      ...records
        .slice(0, 4)
        .map(
          (r, i) =>
            `${r.date},${r.temperature},${r.feelsLike},${r.humidity},${r.windSpeed},"${r.weather}",${i === 2 ? 'true' : ''},"a, ""quoted"" note"`,
        ),
    ].join('\r\n');
    const run = await cli(['predict', file('days.csv', csv)]);
    expect(run.code).toBe(0);
    const expected = records.slice(0, 4).map((r, i) => (i === 2 ? { ...r, holiday: true } : r));
    expect(JSON.parse(run.stdout)).toEqual(plain(await predictor.predictBatch(expected)));
  });

  it('info prints the bundle, --json exactly its info', async () => {
    const text = await cli(['info']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^bike-daily /);
    expect(text.stdout).toMatch(/temperature +number +required/);
    const json = await cli(['info', '--json']);
    expect(JSON.parse(json.stdout)).toEqual(plain(predictor.info));
  });

  it('invalid records: exit 1, nothing on stdout, each problem named by record, line and field', async () => {
    const lines = records.slice(0, 3).map((r) => JSON.stringify(r));
    lines[1] = JSON.stringify({ ...records[1], temperature: 'warm' });
    const run = await cli(['predict', file('bad.ndjson', `\n${lines.join('\n')}\n`)]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('bad.ndjson: record 1 (line 3), field "temperature": expected a number, got the string "warm"');
    expect(run.stderr).toContain('1 of 3 records invalid');
  });

  it('--invalid report predicts the valid records and marks the rest in place', async () => {
    const run = await cli(['predict', '--invalid', 'report', file('mixed.json', JSON.stringify([records[0], { date: 'soon' }]))]);
    expect(run.code).toBe(0);
    const [ok, bad] = JSON.parse(run.stdout) as Array<Record<string, unknown>>;
    expect(ok).toEqual(plain(await predictor.predict(records[0])));
    expect(bad).toMatchObject({ error: { code: 'ERR_VALIDATION' } });
  });

  it('unparsable input: exit 1 with the file and line', async () => {
    const [json, csv, missing] = await Promise.all([
      cli(['predict', file('broken.json', '[\n{"date": "2012-01-01"},\n{oops}\n]')]),
      cli(['predict', file('ragged.csv', 'date,temperature\n2012-01-01,3\n2012-01-02\n')]),
      cli(['predict', join(dir, 'nope.json')]),
    ]);
    expect(json.code).toBe(1);
    expect(json.stderr).toMatch(/broken\.json:3: not valid JSON/);
    expect(csv.code).toBe(1);
    expect(csv.stderr).toContain('ragged.csv:3: expected 2 cells (as in the header), found 1');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read .*nope\.json/);
  });

  it('bad usage exits 2; a bundle that cannot load exits 3', async () => {
    const [none, unknown, flag, port, bundle, train] = await Promise.all([
      cli([]),
      cli(['retrain']),
      cli(['predict', '--colour']),
      cli(['serve', '--port', 'http']),
      cli(['info', '--bundle', join(dir, 'missing/manifest.json')]),
      cli(['train', '--pipeline', 'p.json']),
    ]);
    expect([train.code, train.stderr]).toEqual([2, expect.stringContaining('train needs --data')]);
    expect(none.code).toBe(2);
    expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringContaining('unknown command "retrain"')]);
    expect([flag.code, flag.stderr]).toEqual([2, expect.stringContaining("Unknown option '--colour'")]);
    expect([port.code, port.stderr]).toEqual([2, expect.stringContaining('--port must be an integer 0–65535, not "http"')]);
    expect(bundle.code).toBe(3);
    expect(bundle.stderr).toMatch(/featurecast: Could not read .*missing\/manifest\.json/);
  });

  it('--progress draws progress on stderr and keeps stdout clean', async () => {
    const many = Array.from({ length: 5000 }, (_, i) => records[i % records.length]);
    const run = await cli(['predict', '--ndjson', '--progress', file('many.json', JSON.stringify(many))]);
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split('\n')).toHaveLength(5000);
    expect(run.stderr).toContain('progress: 100% (5000/5000 records)');
  });

  it('serve listens on 127.0.0.1, answers, and stops cleanly on SIGTERM', async () => {
    const { child, url: listening } = serveTsx(MAIN, ['serve', '--port', '0'], { cwd: ROOT });
    try {
      const url = await listening;
      const response = await fetch(`${url}/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(records[0]),
      });
      expect(await response.json()).toEqual(plain(await predictor.predict(records[0])));
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
