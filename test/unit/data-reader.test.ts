import fc from 'fast-check';
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { DataFileError, formatFloat32, readRecords, writeCsv, type ReadRecordsOptions } from '../../src/build/data.js';
import { parseInput } from '../../src/cli/input.js';
import { CsvTokenizer, type CsvRow } from '../../src/schema/csv.js';

const dir = mkdtempSync(join(tmpdir(), 'featurecast-data-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Every record as [line, record]. */
async function read(path: string, options?: ReadRecordsOptions): Promise<Array<[number, Record<string, unknown>]>> {
  const out: Array<[number, Record<string, unknown>]> = [];
  for await (const { line, record } of readRecords(path, options)) out.push([line, record]);
  return out;
}

/** The records before the failure, and the failure. */
async function failure(path: string, options?: ReadRecordsOptions): Promise<{ lines: number[]; error: DataFileError }> {
  const lines: number[] = [];
  try {
    for await (const { line } of readRecords(path, options)) lines.push(line);
  } catch (error) {
    expect(error).toBeInstanceOf(DataFileError);
    return { lines, error: error as DataFileError };
  }
  throw new Error(`${path} was read without an error`);
}

// BOM, CRLF, a lone CR, quoted commas, doubled quotes and line breaks (LF and CRLF), blank lines,
// multi-byte UTF-8 (split across reads), an empty quoted cell, spaces, and no final line break.
const TRICKY =
  '\ufeffdate,temp,note,flag\r\n' +
  '2012-01-01,3.5,"multi\nline, with ""quotes""",true\r\n' +
  '\r\n' +
  '2012-01-02,-1e3,café ☀️ 😀,0\n' +
  '2012-01-03,,"a\r\nb",\r' +
  '2012-01-04, 7 ,"",false';

const TRICKY_RECORDS: Array<[number, Record<string, unknown>]> = [
  [2, { date: '2012-01-01', temp: 3.5, note: 'multi\nline, with "quotes"', flag: true }],
  [5, { date: '2012-01-02', temp: -1000, note: 'café ☀️ 😀', flag: false }],
  [6, { date: '2012-01-03', note: 'a\r\nb' }],
  [8, { date: '2012-01-04', temp: 7, flag: false }],
];

const FIELDS = [
  { name: 'date', type: 'date' },
  { name: 'temp', type: 'number' },
  { name: 'flag', type: 'boolean' },
] as const;

describe('readRecords: formats', () => {
  it('CSV: typed by fields, BOM and CRLF, quoted multi-line cells keep later lines right', async () => {
    expect(await read(file('tricky.csv', TRICKY), { fields: FIELDS })).toEqual(TRICKY_RECORDS);
  });

  it('CSV columns not in fields: numeric cells become numbers, codes and other text stay strings', async () => {
    const path = file('untyped.csv', 'zip,n,x,b\n02134,-2.5e1,1.2.3,true\n0,.5,abc,\n-0.5,NaN,-Infinity,nan\n');
    expect(await read(path)).toEqual([
      [2, { zip: '02134', n: -25, x: '1.2.3', b: 'true' }],
      [3, { zip: 0, n: 0.5, x: 'abc' }],
      [4, { zip: -0.5, n: Number.NaN, x: Number.NEGATIVE_INFINITY, b: 'nan' }],
    ]);
    expect(await read(path, { untyped: 'text' })).toEqual([
      [2, { zip: '02134', n: '-2.5e1', x: '1.2.3', b: 'true' }],
      [3, { zip: '0', n: '.5', x: 'abc' }],
      [4, { zip: '-0.5', n: 'NaN', x: '-Infinity', b: 'nan' }],
    ]);
  });

  it('a CSV column named __proto__ is a field, not the prototype', async () => {
    const [[, record]] = (await read(file('proto.csv', '__proto__,a\nx,1\n'))) as [[number, Record<string, unknown>]];
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
    expect(Object.keys(record)).toEqual(['__proto__', 'a']);
  });

  it('NDJSON (.ndjson, .jsonl): one object per line, blank lines skipped, CRLF', async () => {
    const text = '{"a":1}\r\n\r\n  {"a":"x\\ny"}  \n{"a":[1,2]}';
    const expected = [
      [1, { a: 1 }],
      [3, { a: 'x\ny' }],
      [4, { a: [1, 2] }],
    ];
    expect(await read(file('a.ndjson', text))).toEqual(expected);
    expect(await read(file('a.jsonl', `\ufeff${text}`))).toEqual(expected);
  });

  it('JSON array: each object with the line it starts on', async () => {
    const text = '[\n  {"a": 1, "s": "]}{["},\n  {\n    "a": 2\n  }, {"a": {"b": [3]}}\n]\n';
    expect(await read(file('a.json', text))).toEqual([
      [2, { a: 1, s: ']}{[' }],
      [3, { a: 2 }],
      [5, { a: { b: [3] } }],
    ]);
    expect(await read(file('empty.json', ' [ ] '))).toEqual([]);
  });

  it('the format comes from the option, else the extension, else the first character', async () => {
    expect(await read(file('data.txt', '\n  [{"a":1}]'))).toEqual([[2, { a: 1 }]]);
    expect(await read(file('data', '{"a":1}\n{"a":2}'))).toEqual([
      [1, { a: 1 }],
      [2, { a: 2 }],
    ]);
    expect(await read(file('data.dat', 'a\n1'))).toEqual([[2, { a: 1 }]]);
    expect(await read(file('really-csv.json', 'a\n1'), { format: 'csv' })).toEqual([[2, { a: 1 }]]);
  });

  it('parseInput (featurecast predict) reads CSV as readRecords does, untyped columns as text', async () => {
    const parsed = parseInput(TRICKY, [...FIELDS]);
    const streamed = await read(file('shared.csv', TRICKY), { fields: FIELDS, untyped: 'text' });
    expect(parsed.records).toEqual(streamed.map(([, record]) => record));
    expect(parsed.lines).toEqual(streamed.map(([line]) => line));
    expect(() => parseInput('a,a\n1,2', [], 'csv')).toThrow('the header names the column "a" twice');
    expect(parseInput('\n\na,b\n1,2\n', [], 'csv')).toEqual({ records: [{ a: '1', b: '2' }], lines: [4], single: false });
  });

  it('a header with no rows is no records', async () => {
    expect(await read(file('header.csv', '\n\na,b\r\n\r\n'))).toEqual([]);
  });
});

describe('readRecords: chunk boundaries', () => {
  it('every read size gives the same CSV records (multi-byte characters split too)', async () => {
    const path = file('chunks.csv', TRICKY);
    const size = statSync(path).size;
    for (let chunkBytes = 1; chunkBytes <= size; chunkBytes += chunkBytes < 40 ? 1 : 17) {
      expect(await read(path, { fields: FIELDS, chunkBytes }), `chunkBytes ${chunkBytes}`).toEqual(TRICKY_RECORDS);
    }
  });

  it('every split of the text into two and three pieces gives the same rows', () => {
    const whole = rows([TRICKY]);
    for (let i = 0; i <= TRICKY.length; i++) {
      for (let j = i; j <= TRICKY.length; j++) {
        expect(rows([TRICKY.slice(0, i), TRICKY.slice(i, j), TRICKY.slice(j)])).toEqual(whole);
      }
    }
  });

  it('the tokenizer reads any text, in any pieces, as the whole-text parser before it did', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'b', ' ', ',', '"', '\n', '\r'), maxLength: 40 });
    fc.assert(
      fc.property(text, fc.array(fc.nat(40), { maxLength: 4 }), (csv, cuts) => {
        const points = [...new Set(cuts.map((c) => Math.min(c, csv.length)))].sort((a, b) => a - b);
        const pieces = [0, ...points].map((p, k, all) => csv.slice(p, all[k + 1] ?? csv.length));
        let expected: CsvRow[] | string;
        try {
          expected = referenceRows(csv);
        } catch (error) {
          expected = (error as Error).message;
        }
        let actual: CsvRow[] | string;
        try {
          actual = rows(pieces);
        } catch (error) {
          actual = (error as Error).message;
        }
        expect(actual).toEqual(expected);
      }),
      { numRuns: 3000 },
    );
  });

  it('every read size gives the same NDJSON and JSON records', async () => {
    const objects = [{ a: 'é😀"\\' }, { b: [1, { c: '}' }] }, { d: null }];
    const ndjson = file('chunks.ndjson', `${objects.map((o) => JSON.stringify(o)).join('\r\n')}\n`);
    const json = file('chunks.json', JSON.stringify(objects, null, 1));
    const ndjsonRecords = await read(ndjson);
    const jsonRecords = await read(json);
    expect(ndjsonRecords.map(([, r]) => r)).toEqual(objects);
    expect(jsonRecords.map(([line]) => line)).toEqual([2, 5, 13]);
    for (let chunkBytes = 1; chunkBytes <= 64; chunkBytes++) {
      expect(await read(ndjson, { chunkBytes })).toEqual(ndjsonRecords);
      expect(await read(json, { chunkBytes })).toEqual(jsonRecords);
    }
  });
});

describe('readRecords: errors carry the file and line', () => {
  it('CSV: wrong cell count, unclosed quote, a column named twice', async () => {
    const ragged = await failure(file('ragged.csv', 'a,b\n1,"x\ny"\n2\n3,4\n'));
    expect(ragged.lines).toEqual([2]);
    expect(ragged.error).toMatchObject({ line: 4, reason: 'expected 2 cells (as in the header), found 1' });
    expect(ragged.error.file).toMatch(/ragged\.csv$/);
    expect(ragged.error.message).toMatch(/ragged\.csv:4: expected 2 cells/);
    const open = await failure(file('open.csv', 'a,b\n1,2\n3,"x\n\n'), { chunkBytes: 3 });
    expect(open).toMatchObject({ lines: [2], error: { line: 3, reason: 'a quoted CSV cell is never closed' } });
    expect((await failure(file('twice.csv', '\na,b,a\n1,2,3\n'))).error).toMatchObject({
      line: 2,
      reason: 'the header names the column "a" twice',
    });
  });

  it('NDJSON: an invalid line, or a line that is not an object', async () => {
    const bad = await failure(file('bad.ndjson', '{"a":1}\n\n{"a":}\n{"a":2}\n'));
    expect(bad).toMatchObject({ lines: [1], error: { line: 3 } });
    expect(bad.error.reason).toMatch(/^not valid JSON/);
    const array = await failure(file('array.ndjson', '{"a":1}\n[1]\n'));
    expect(array.error).toMatchObject({ line: 2, reason: 'expected a JSON object, found an array' });
    expect((await failure(file('pretty.ndjson', '{\n  "a": 1\n}\n'))).error.line).toBe(1);
  });

  it('JSON: not an array, an element not an object, bad JSON inside an object, an unclosed array', async () => {
    const object = await failure(file('object.json', '\n{"a": 1}'));
    expect(object.error).toMatchObject({ line: 2 });
    expect(object.error.reason).toMatch(/^expected a JSON array of objects, found an object/);
    expect((await failure(file('numbers.json', '[{"a":1},\n 2]'))).error).toMatchObject({
      line: 2,
      reason: 'expected object 2 of the array, found "2": the array must hold only objects',
    });
    const inner = await failure(file('inner.json', '[{"a":1},\n{"a":\n  oops}]'));
    expect(inner.lines).toEqual([1]);
    // The bad token's own line when the engine's message gives a position, else the line the object starts on.
    expect([2, 3]).toContain(inner.error.line);
    expect(inner.error.reason).toMatch(/^not valid JSON/);
    expect((await failure(file('comma.json', '[{"a":1}\n{"a":2}]'))).error).toMatchObject({
      line: 2,
      reason: 'expected "," or "]" after object 1 of the array, found "{"',
    });
    expect((await failure(file('bracket.json', '[{"a":[1}]'))).error).toMatchObject({
      line: 1,
      reason: 'found "}" where "]" was expected',
    });
    expect((await failure(file('unclosed.json', '[{"a":1},\n{"a":\n'))).error).toMatchObject({
      line: 2,
      reason: 'this object is never closed',
    });
    expect((await failure(file('open.json', '[{"a":1}\n'))).error).toMatchObject({ line: 2, reason: 'the JSON array is never closed' });
    expect((await failure(file('after.json', '[]\n[]'))).error).toMatchObject({
      line: 2,
      reason: 'unexpected "[" after the end of the array',
    });
  });

  it('an empty file is an error; a missing file is the system error', async () => {
    expect((await failure(file('blank.csv', ' \r\n\ufeff'))).error).toMatchObject({ line: 1, reason: 'the file is empty' });
    await expect(read(join(dir, 'missing.csv'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('readRecords: progress and abort', () => {
  it('progress rises to the file size', async () => {
    const path = file('progress.csv', TRICKY);
    const calls: Array<[number, number]> = [];
    await read(path, { chunkBytes: 10, onProgress: (done, total) => calls.push([done, total]) });
    const size = statSync(path).size;
    expect(calls.length).toBe(Math.ceil(size / 10));
    expect(calls.every(([, total]) => total === size)).toBe(true);
    expect(calls.map(([done]) => done)).toEqual([...calls.map(([done]) => done)].sort((a, b) => a - b));
    expect(calls.at(-1)).toEqual([size, size]);
  });

  it('aborting stops the iteration with the reason, between records or between reads', async () => {
    const path = file('abort.csv', `n\n${Array.from({ length: 1000 }, (_, i) => i).join('\n')}\n`);
    const reason = new Error('stop');
    const between = new AbortController();
    const seen: number[] = [];
    const reading = (async () => {
      for await (const { record } of readRecords(path, { signal: between.signal })) {
        seen.push(record.n as number);
        if (seen.length === 3) between.abort(reason);
      }
    })();
    await expect(reading).rejects.toBe(reason);
    expect(seen).toEqual([0, 1, 2]);

    const reads = new AbortController();
    let count = 0;
    const iterate = async () => {
      for await (const _ of readRecords(path, { signal: reads.signal, chunkBytes: 64, onProgress: () => reads.abort(reason) })) count++;
    };
    await expect(iterate()).rejects.toBe(reason);
    expect(count).toBeLessThan(40);

    await expect(read(path, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });
});

describe('readRecords: a million rows', () => {
  it('streams 1,000,000 CSV rows in bounded memory', { timeout: 180_000 }, async () => {
    const path = join(dir, 'million.csv');
    const out = createWriteStream(path);
    out.write('date,temperature,humidity,weather,holiday,note,count\n');
    for (let start = 0; start < 1_000_000; start += 10_000) {
      let text = '';
      for (let i = start; i < start + 10_000; i++) {
        text += `2012-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')},${(i % 400) / 10},${(i % 97) / 100},clear,${i % 2 === 0},"note, ""${i}""",${i}\n`;
      }
      if (!out.write(text)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    const fields = [
      { name: 'date', type: 'date' },
      { name: 'temperature', type: 'number' },
      { name: 'humidity', type: 'number' },
      { name: 'holiday', type: 'boolean' },
    ] as const;
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    let count = 0;
    let last: { record: Record<string, unknown>; line: number } | undefined;
    const started = performance.now();
    for await (const item of readRecords(path, { fields })) {
      count++;
      last = item;
      if (count % 10_000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
    }
    const seconds = (performance.now() - started) / 1000;
    const growth = (peak - before) / 2 ** 20;
    console.log(
      `1,000,000 CSV rows (${(statSync(path).size / 2 ** 20).toFixed(1)} MiB): ${seconds.toFixed(2)} s, ${Math.round(count / seconds).toLocaleString('en')} rows/s, heap growth at most ${growth.toFixed(1)} MiB`,
    );
    expect(count).toBe(1_000_000);
    expect(last).toEqual({
      line: 1_000_001,
      record: {
        date: '2012-04-08',
        temperature: 39.9,
        humidity: 0.26,
        weather: 'clear',
        holiday: false,
        note: 'note, "999999"',
        count: 999_999,
      },
    });
    expect(growth).toBeLessThan(50);
    expect(seconds).toBeLessThan(60);
  });
});

describe('writeCsv', () => {
  it('writes a header and rows, quoting only where needed, numbers as float32', async () => {
    const sink = collect();
    const written = await writeCsv(
      sink.stream,
      ['name', 'x, y', 'flag'],
      [
        ['plain', 0.1, true],
        ['say "hi"', 1 / 3, false],
        ['two\nlines', Number.NaN, null],
        [' edge ', -0, undefined],
        ['', Number.POSITIVE_INFINITY, 16_777_217],
      ],
    );
    expect(written).toBe(5);
    expect(sink.text()).toBe(
      'name,"x, y",flag\nplain,0.1,true\n"say ""hi""",0.33333334,false\n"two\nlines",NaN,\n" edge ",-0,\n,Infinity,16777216\n',
    );
    const wide = collect();
    await writeCsv(wide.stream, ['x'], [[0.1], [1 / 3]], { float64: true });
    expect(wide.text()).toBe('x\n0.1\n0.3333333333333333\n');
  });

  it('what it writes reads back as the same records', async () => {
    const strings = ['a,b', '"q"', 'l1\r\nl2', ' pad ', 'é😀', 'x"'];
    const numbers = [0.1, -2.5e-7, 123456.789, 3.4e38];
    const path = join(dir, 'written.csv');
    const out = createWriteStream(path);
    await writeCsv(
      out,
      ['s', 'n'],
      strings.map((s, i) => [s, numbers[i % numbers.length]!]),
    );
    out.end();
    await once(out, 'finish');
    const back = await read(path, {
      fields: [
        { name: 's', type: 'category' },
        { name: 'n', type: 'number' },
      ],
    });
    expect(back.map(([, r]) => r.s)).toEqual(strings);
    expect(back.map(([, r]) => Math.fround(r.n as number))).toEqual(strings.map((_, i) => Math.fround(numbers[i % numbers.length]!)));
    expect(parseInput(await readFile(path, 'utf8'), []).records.map((r) => (r as { s: string }).s)).toEqual(strings);
  });

  it('waits for a slow output instead of buffering every row', async () => {
    let maxQueued = 0;
    let chunks = 0;
    const slow = new Writable({
      highWaterMark: 16 * 1024,
      write(_chunk, _encoding, done) {
        chunks++;
        setImmediate(done);
      },
    });
    function* rows() {
      for (let i = 0; i < 200_000; i++) {
        maxQueued = Math.max(maxQueued, slow.writableLength);
        yield [i, `row ${i}`];
      }
    }
    expect(await writeCsv(slow, ['i', 'text'], rows())).toBe(200_000);
    expect(chunks).toBeGreaterThan(40);
    // At most one 64 KiB batch waits in the stream (~3.5 MB of rows are written in all).
    expect(maxQueued).toBeLessThanOrEqual(70 * 1024);
  });

  it('rejects when the output closes or fails, on abort, and on a row of the wrong length', async () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => [i, 'padding padding padding padding']);
    const closing = new Writable({ highWaterMark: 1024, write: (_c, _e, done) => setTimeout(done, 5) });
    setTimeout(() => closing.destroy(), 10);
    await expect(writeCsv(closing, ['i', 's'], many(100_000))).rejects.toThrow(/closed before all rows/);
    const failing = new Writable({ highWaterMark: 1024, write: (_c, _e, done) => setTimeout(() => done(new Error('disk full')), 5) });
    failing.on('error', () => {});
    await expect(writeCsv(failing, ['i', 's'], many(100_000))).rejects.toThrow('disk full');
    const reason = new Error('stop');
    const never = new Writable({ highWaterMark: 1024, write: () => {} });
    const controller = new AbortController();
    setTimeout(() => controller.abort(reason), 10);
    await expect(writeCsv(never, ['i', 's'], many(100_000), { signal: controller.signal })).rejects.toBe(reason);
    await expect(writeCsv(collect().stream, ['a', 'b'], [[1, 2], [3]])).rejects.toThrow('row 2 has 1 cells, but the header has 2');
  });
});

describe('formatFloat32', () => {
  it('prints the shortest decimal of common values', () => {
    const cases: Array<[number, string]> = [
      [0, '0'],
      [-0, '-0'],
      [1, '1'],
      [0.1, '0.1'],
      [-0.3, '-0.3'],
      [1 / 3, '0.33333334'],
      [16_777_217, '16777216'],
      [2 ** 24 + 2, '16777218'],
      [1e10, '10000000000'],
      [3.4028234663852886e38, '3.4028235e+38'],
      [1.401298464324817e-45, '1e-45'],
      [1.1754943508222875e-38, '1.1754944e-38'],
      [123456.789, '123456.79'],
      [1e-7, '1e-7'],
      [Number.NaN, 'NaN'],
      [Number.POSITIVE_INFINITY, 'Infinity'],
      [Number.NEGATIVE_INFINITY, '-Infinity'],
      [1e39, 'Infinity'],
    ];
    for (const [x, text] of cases) expect(formatFloat32(x), String(x)).toBe(text);
  });

  const bits = new Uint32Array(1);
  const float = new Float32Array(bits.buffer);
  const fromBits = (b: number) => {
    bits[0] = b;
    return float[0]!;
  };
  const anyFloat32 = fc.oneof(
    fc.integer({ min: 0, max: 2 ** 32 - 1 }).map(fromBits),
    // Subnormals, either sign.
    fc.tuple(fc.integer({ min: 1, max: 2 ** 23 - 1 }), fc.boolean()).map(([m, negative]) => fromBits(m + (negative ? 2 ** 31 : 0))),
    // Powers of two, where the gap below is half the gap above.
    fc.tuple(fc.integer({ min: -149, max: 127 }), fc.boolean()).map(([e, negative]) => (negative ? -1 : 1) * 2 ** e),
    fc.constantFrom(0, -0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN, 3.4028234663852886e38, 1.1754943508222875e-38),
  );

  it('reads back as the same float32, in at most 9 significant digits, and no shorter decimal does', () => {
    fc.assert(
      fc.property(anyFloat32, (f) => {
        const text = formatFloat32(f);
        if (Number.isNaN(f)) return text === 'NaN';
        expect(Object.is(Math.fround(Number(text)), f)).toBe(true);
        const digits = significantDigits(text);
        expect(digits).toBeLessThanOrEqual(9);
        if (Number.isFinite(f) && f !== 0 && digits > 1) expect(shorterRoundTrip(f, digits - 1), text).toBeUndefined();
        return true;
      }),
      { numRuns: 50_000 },
    );
  });
});

/** Rows of `pieces` pushed one after another. */
function rows(pieces: readonly string[]): CsvRow[] {
  const tokenizer = new CsvTokenizer();
  const out = pieces.flatMap((piece) => tokenizer.push(piece));
  return [...out, ...tokenizer.end()];
}

/** The whole-text CSV splitter `parseInput` used before the shared tokenizer: the oracle it must agree with. */
function referenceRows(text: string): CsvRow[] {
  const out: CsvRow[] = [];
  let cells: string[] = [];
  let cell = '';
  let line = 1;
  let start = 1;
  let quoted = false;
  const endRow = () => {
    cells.push(cell);
    out.push({ cells, line: start });
    cells = [];
    cell = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        cell += c;
      }
    } else if (c === '"' && cell.trim() === '') {
      quoted = true;
      cell = '';
    } else if (c === ',') {
      cells.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRow();
      line++;
      start = line;
    } else cell += c;
  }
  if (quoted) throw new Error('a quoted CSV cell is never closed');
  if (cell !== '' || cells.length) endRow();
  return out;
}

function significantDigits(text: string): number {
  const mantissa = text.replace(/^-/, '').replace(/e.*$/, '').replace('.', '');
  return mantissa.replace(/^0+/, '').replace(/0+$/, '').length || 1;
}

/** A decimal of `digits` significant digits that reads back as `f`, found by brute force near `f`. */
function shorterRoundTrip(f: number, digits: number): string | undefined {
  for (let d = 1; d <= digits; d++) {
    const nearest = Number(f.toPrecision(d));
    const step = 10 ** (Math.floor(Math.log10(Math.abs(f))) - d + 1);
    for (let k = -2; k <= 2; k++) {
      const candidate = (nearest + k * step).toPrecision(d);
      if (Math.fround(Number(candidate)) === f) return candidate;
    }
  }
  return undefined;
}

/** A Writable that keeps what it is given. */
function collect(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}
