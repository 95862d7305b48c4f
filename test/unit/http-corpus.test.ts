import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPredictor, type Predictor, type ValidationIssue } from '../../src/index.js';
import { createFetchHandler } from '../../src/server/handler.js';
import { serve, type ServeHandle } from '../../src/server/node.js';
import { makecalcRoute } from '../../models/bike-daily/makecalc.js';

/**
 * Issue 19, a bad-input corpus over HTTP on 127.0.0.1: impossible values, unit mistakes, dates
 * at the plausibility bounds, duplicate JSON keys, very long strings, deeply nested JSON, wrong
 * types and batches of bad records, on `POST /predict` and on the seed's `/api/makecalc(/)`.
 * Every answer is a 4xx JSON error naming the record and the field where there is one: never a
 * 500, never a stack trace or a file path, never an echo of a huge input.
 */

const MANIFEST = new URL('../../models/bike-daily/manifest.json', import.meta.url);
const MAKECALC = ['/api/makecalc', '/api/makecalc/'] as const;
/** A realistic early-June Tuesday in DC, inside every training range. */
const RECORD = Object.freeze({ date: '2012-06-05', temperature: 25.1, feelsLike: 28.4, humidity: 61, windSpeed: 11.2, weather: 'clear' });
/** The same day as the seed sends it: a day.csv row (normalised weather). */
const ROW = Object.freeze({ dteday: '2012-06-05', weathersit: 1, temp: 0.6122, atemp: 0.568, hum: 0.61, windspeed: 0.1672 });
const MB = 1_000_000;

let predictor: Predictor;
let server: ServeHandle;

beforeAll(async () => {
  predictor = await createPredictor(MANIFEST, { worker: false, cache: false });
  server = await serve(createFetchHandler(predictor, { routes: { '/api/makecalc': makecalcRoute } }), { host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  // Keep-alive sockets left by fetch must not hold the server open.
  server?.server.closeAllConnections();
  await server?.close();
  await predictor?.dispose();
});

interface Answer {
  status: number;
  type: string | null;
  text: string;
}

async function post(path: string, body: string | Uint8Array, contentType = 'application/json'): Promise<Answer> {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: body as BodyInit,
  });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

const json = (value: unknown) => JSON.stringify(value);
const record = (patch: Record<string, unknown> = {}) => ({ ...RECORD, ...patch });
const row = (patch: Record<string, unknown> = {}) => ({ ...ROW, ...patch });
/** `depth` nested arrays around nothing, as JSON text. */
const nestedArrays = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
/** `depth` nested objects `{"a":{"a":…1…}}`, as JSON text. */
const nestedObjects = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
/** A JSON object text with `members` spliced in as written, so a key may appear twice. */
const objectText = (members: ReadonlyArray<readonly [string, string]>) =>
  `{${members.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;

/** [record index, path, kind]: an issue the answer must contain. */
type Where = readonly [number, string, string?];

/** Every string inside a parsed JSON value. */
function stringsOf(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const item of value) stringsOf(item, out);
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      stringsOf(v, out);
    }
  }
  return out;
}

/**
 * Checks the refusal contract and returns the error: a 4xx with a JSON body `{ error: { code,
 * message, issues? } }`, no stack frame or source path anywhere in it, and each `where` among
 * its issues.
 */
function expectRefused(answer: Answer, where: readonly Where[] = [], code: string | RegExp = 'ERR_VALIDATION') {
  const shown = `${answer.status} ${answer.text.slice(0, 300)}`;
  expect(answer.status, shown).toBeGreaterThanOrEqual(400);
  expect(answer.status, shown).toBeLessThan(500);
  expect(answer.type, shown).toMatch(/^application\/json/);
  expect(answer.text, shown).not.toContain('    at ');
  expect(answer.text, shown).not.toMatch(
    /\\n\s+at |file:\/\/|node:internal|node_modules|\/(?:src|dist|models|test)\/[\w/.-]+\.[cm]?[jt]s\b/,
  );
  const body = JSON.parse(answer.text) as { error: { code: string; message: string; issues?: ValidationIssue[] } };
  expect(Object.keys(body), shown).toEqual(['error']);
  if (typeof code === 'string') expect(body.error.code, shown).toBe(code);
  else expect(body.error.code, shown).toMatch(code);
  expect(body.error.message, shown).toEqual(expect.any(String));
  for (const text of stringsOf(body)) expect(text, shown).not.toMatch(/\n\s+at /);
  const issues = body.error.issues ?? [];
  for (const [index, path, kind] of where) {
    expect(issues, shown).toContainEqual(expect.objectContaining({ index, path, ...(kind ? { kind } : {}) }));
  }
  return body.error;
}

function expectOk(answer: Answer) {
  expect(answer.status, answer.text.slice(0, 300)).toBe(200);
  return JSON.parse(answer.text) as Record<string, unknown>;
}

describe('POST /predict: impossible values and unit mistakes are refused as implausible', () => {
  const cases: Array<[string, Record<string, unknown>, string, string]> = [
    [
      '205 °C (neither a Celsius, Fahrenheit nor Kelvin day)',
      { temperature: 205 },
      'temperature',
      '205 °C is outside the possible -60…60 °C — Fahrenheit or Kelvin?',
    ],
    ['95 °F sent as °C', { temperature: 95 }, 'temperature', '95 °C is outside the possible -60…60 °C — Fahrenheit?'],
    ['290 K sent as °C', { temperature: 290 }, 'temperature', '290 °C is outside the possible -60…60 °C — Kelvin?'],
    ['300 K feels-like', { feelsLike: 300 }, 'feelsLike', '300 °C is outside the possible -60…60 °C — Kelvin?'],
    ['absolute zero', { temperature: -273.15 }, 'temperature', '-273.15 °C is outside the possible -60…60 °C'],
    ['250 % humidity', { humidity: 250 }, 'humidity', '250 % is outside the possible 0…100 %'],
    ['negative humidity', { humidity: -1 }, 'humidity', '-1 % is outside the possible 0…100 %'],
    ['negative wind', { windSpeed: -3 }, 'windSpeed', '-3 km/h is outside the possible 0…200 km/h'],
    ['1e6 km/h wind', { windSpeed: 1e6 }, 'windSpeed', '1000000 km/h is outside the possible 0…200 km/h'],
    ['year 9999', { date: '9999-12-31' }, 'date', '9999-12-31 is outside the possible 2000-01-01…2100-12-31'],
    ['year 1900', { date: '1900-06-01' }, 'date', '1900-06-01 is outside the possible 2000-01-01…2100-12-31'],
  ];
  it.each(cases)('%s', async (_, patch, field, message) => {
    const error = expectRefused(await post('/predict', json(record(patch))), [[0, field, 'implausible']]);
    expect(error.issues).toEqual([{ index: 0, path: field, kind: 'implausible', message, received: Object.values(patch)[0] }]);
  });

  it('the same values inside a batch name their record', async () => {
    const batch = [
      record(),
      record({ temperature: 205 }),
      record(),
      record({ humidity: 250, windSpeed: -3 }),
      record({ date: '9999-12-31' }),
    ];
    const error = expectRefused(await post('/predict', json(batch)));
    expect(error.issues!.map((i) => [i.index, i.path, i.kind])).toEqual([
      [1, 'temperature', 'implausible'],
      [3, 'humidity', 'implausible'],
      [3, 'windSpeed', 'implausible'],
      [4, 'date', 'implausible'],
    ]);
  });

  it('humidity as a fraction (0.61) is possible: answered, not refused', async () => {
    expect(expectOk(await post('/predict', json(record({ humidity: 0.61 }))))).toHaveProperty('rentals');
  });
});

describe('dates at the plausibility bounds', () => {
  it.each([
    ['2000-01-01', true],
    ['1999-12-31', false],
    ['2100-12-31', true],
    ['2101-01-01', false],
  ] as const)('POST /predict with %s: accepted %s', async (date, accepted) => {
    const answer = await post('/predict', json(record({ date })));
    if (accepted) expect(expectOk(answer).warnings).toEqual([{ index: 0, field: 'date', kind: 'extrapolated', received: date }]);
    else expectRefused(answer, [[0, 'date', 'implausible']]);
  });

  for (const path of MAKECALC) {
    it(`${path}: dteday 2000-01-01 and 2100-12-31 answered; 1999-12-31 and 2101-01-01 refused naming row and column`, async () => {
      const ok = expectOk(await post(path, json({ '10': row({ dteday: '2000-01-01' }), '11': row({ dteday: '2100-12-31' }) })));
      expect(Object.keys(ok)).toEqual(['10', '11']);
      const error = expectRefused(
        await post(path, json({ '10': row({ dteday: '1999-12-31' }), '11': row(), '12': row({ dteday: '2101-01-01' }) })),
      );
      expect(error.issues).toEqual([
        {
          index: 10,
          path: 'dteday',
          kind: 'implausible',
          message: '1999-12-31 is outside the possible 2000-01-01…2100-12-31',
          received: '1999-12-31',
        },
        {
          index: 12,
          path: 'dteday',
          kind: 'implausible',
          message: '2101-01-01 is outside the possible 2000-01-01…2100-12-31',
          received: '2101-01-01',
        },
      ]);
    });
  }
});

describe('the seed route: impossible values in normalised day.csv columns', () => {
  for (const path of MAKECALC) {
    it(`${path}: the row key, the column, the value sent and the conversion that made it impossible`, async () => {
      const body = {
        '7': row({ temp: 5 }),
        '8': row({ temp: 290 / 41 }),
        '9': row({ hum: 2.5 }),
        '20': row(),
        '21': row({ windspeed: -0.05 }),
        '22': row({ atemp: 2 }),
      };
      const error = expectRefused(await post(path, json(body)));
      expect(error.issues).toEqual([
        {
          index: 7,
          path: 'temp',
          kind: 'implausible',
          message: 'temp 5 × 41 = 205 °C is outside the possible -60…60 °C — Fahrenheit or Kelvin?',
          received: 5,
        },
        {
          index: 8,
          path: 'temp',
          kind: 'implausible',
          message: `temp ${290 / 41} × 41 = 290 °C is outside the possible -60…60 °C — Kelvin?`,
          received: 290 / 41,
        },
        { index: 9, path: 'hum', kind: 'implausible', message: 'hum 2.5 × 100 = 250 % is outside the possible 0…100 %', received: 2.5 },
        {
          index: 21,
          path: 'windspeed',
          kind: 'implausible',
          message: 'windspeed -0.05 × 67 = -3.35 km/h is outside the possible 0…200 km/h',
          received: -0.05,
        },
        {
          index: 22,
          path: 'atemp',
          kind: 'implausible',
          message: 'atemp 2 × 50 = 100 °C is outside the possible -60…60 °C — Fahrenheit?',
          received: 2,
        },
      ]);
    });

    it(`${path}: humidity as the fraction day.csv uses is what the route expects`, async () => {
      expect(expectOk(await post(path, json({ '0': row({ hum: 0.61 }) })))['0']).toHaveProperty('rentals');
    });
  }
});

describe('duplicate JSON keys', () => {
  it('POST /predict: a duplicated field is refused as such, naming it, whatever its values', async () => {
    const text = objectText([...Object.entries(RECORD).map(([k, v]) => [k, json(v)] as const), ['temperature', '205']]);
    expectRefused(await post('/predict', text), [[0, 'temperature', 'format']]);
  });

  for (const path of MAKECALC) {
    it(`${path}: a duplicated column is refused as such, naming row and column`, async () => {
      const rowText = objectText([...Object.entries(ROW).map(([k, v]) => [k, json(v)] as const), ['temp', '5']]);
      expectRefused(await post(path, `{"3":${rowText}}`), [[3, 'temp', 'format']]);
    });
  }

  // JSON.parse keeps the last duplicate silently: a proxy or log that keeps the first would disagree with what was predicted.
  it('a duplicated key is refused even when its last value is valid, naming the record and the key', async () => {
    // Either as an issue { index, path } or in the message, as ValidationError words it ("record 1, field "temperature"").
    const named = (error: { message: string; issues?: ValidationIssue[] }, index: number, key: string) =>
      (error.issues ?? []).some((i) => i.index === index && i.path === key) ||
      (error.message.includes(`record ${index}`) && error.message.includes(`"${key}"`));
    const members = Object.entries(RECORD).map(([k, v]) => [k, json(v)] as const);
    const single = objectText([['temperature', '205'], ...members]);
    const alone = expectRefused(await post('/predict', single), [], /^ERR_/);
    expect(named(alone, 0, 'temperature'), json(alone)).toBe(true);
    const inBatch = expectRefused(await post('/predict', `[${json(RECORD)},${single}]`), [], /^ERR_/);
    expect(named(inBatch, 1, 'temperature'), json(inBatch)).toBe(true);
    const rowText = objectText([['temp', '5'], ...Object.entries(ROW).map(([k, v]) => [k, json(v)] as const)]);
    for (const path of MAKECALC) {
      const column = expectRefused(await post(path, `{"3":${rowText}}`), [], /^ERR_/);
      expect(named(column, 3, 'temp'), json(column)).toBe(true);
      // A repeated row key: the earlier row would be dropped without a word.
      const rowKey = expectRefused(await post(path, `{"3":${json(row({ temp: 5 }))},"3":${json(ROW)}}`), [], /^ERR_/);
      expect(json(rowKey), json(rowKey)).toContain('"3"');
    }
  });
});

describe('very long strings (1 MB in one field): refused, and never echoed back whole', () => {
  const long = 'x'.repeat(MB);
  const cases: Array<[string, string, string, Where[]]> = [
    ['/predict', 'date', json(record({ date: long })), [[0, 'date', 'format']]],
    ['/predict', 'temperature', json(record({ temperature: long })), [[0, 'temperature', 'type']]],
    ['/predict', 'weather', json(record({ weather: long })), [[0, 'weather', 'unknown-category']]],
    ['/predict', 'a record that is a string', json([record(), long]), [[1, '', 'record']]],
    ...MAKECALC.flatMap(
      (path): Array<[string, string, string, Where[]]> => [
        [path, 'dteday', json({ '4': row({ dteday: long }) }), [[4, 'dteday', 'format']]],
        [path, 'temp', json({ '4': row({ temp: long }) }), [[4, 'temp', 'type']]],
        // The key is the field here: named, shortened.
        [path, 'a row key', json({ [long]: ROW }), [[-1, `${'x'.repeat(100)}…`, 'record']]],
      ],
    ),
  ];
  it.each(cases)('%s, %s', async (path, _, body, where) => {
    const answer = await post(path, body);
    expectRefused(answer, where);
    expect(answer.text.length).toBeLessThan(4096);
  });

  it('a 2 MB field is over the body limit: 413 before any parsing', async () => {
    expectRefused(await post('/predict', json(record({ date: 'x'.repeat(2 * MB) }))), [], 'ERR_TOO_LARGE');
    expectRefused(await post('/api/makecalc/', json({ '0': row({ dteday: 'x'.repeat(2 * MB) }) })), [], 'ERR_TOO_LARGE');
  });
});

describe('deeply nested JSON (10,000 and 100,000 levels)', () => {
  for (const depth of [10_000, 100_000]) {
    it(`${depth} levels: as the body, as a record and as a field value`, async () => {
      expectRefused(await post('/predict', nestedArrays(depth)), [[0, '', 'record']]);
      expectRefused(await post('/predict', nestedObjects(depth)), [
        [0, 'date', 'missing'],
        [0, 'temperature', 'missing'],
      ]);
      expectRefused(await post('/predict', `[${json(RECORD)},${nestedArrays(depth)}]`), [[1, '', 'record']]);
      expectRefused(await post('/predict', json(record()).replace('"temperature":25.1', `"temperature":${nestedObjects(depth)}`)), [
        [0, 'temperature', 'type'],
      ]);
      expectRefused(await post('/predict', json(record()).replace('"weather":"clear"', `"weather":${nestedArrays(depth)}`)), [
        [0, 'weather', 'type'],
      ]);
      for (const path of MAKECALC) {
        expectRefused(await post(path, nestedArrays(depth)), [[-1, '', 'record']]);
        expectRefused(await post(path, `{"0":${nestedObjects(depth)}}`), [
          [0, 'dteday', 'missing'],
          [0, 'temp', 'missing'],
        ]);
        expectRefused(await post(path, `{"0":${json(ROW).replace('"temp":0.6122', `"temp":${nestedArrays(depth)}`)}}`), [
          [0, 'temp', 'type'],
        ]);
      }
    });
  }
});

describe('wrong types everywhere', () => {
  // Values that are wrong for the field whatever its policy (null is "absent": missing when required).
  const wrongNumber: unknown[] = [null, true, '25', '', [], {}, [25], { celsius: 25 }];
  const WRONG: Record<string, unknown[]> = {
    date: [null, 20120605, true, '', '2012-02-30', '12/06/2012', '2012-06-05T00:00:00Z', [], {}],
    temperature: wrongNumber,
    feelsLike: wrongNumber,
    humidity: wrongNumber,
    windSpeed: wrongNumber,
    weather: [null, true, 0, 5, 'snow', '', [], {}],
    holiday: ['yes', 2, -1, '', [], {}],
  };
  const bad = Object.entries(WRONG).flatMap(([field, values]) => values.map((value) => ({ field, value })));

  it('one wrong field per request, on POST /predict', async () => {
    for (const { field, value } of bad) expectRefused(await post('/predict', json(record({ [field]: value }))), [[0, field]]);
  });

  it('1e400 (Infinity once parsed) is not a number the model can take', async () => {
    const text = json(record()).replace('25.1', '1e400');
    expectRefused(await post('/predict', text), [[0, 'temperature', 'type']]);
  });

  it('an array of bad records: each named by its index and field', async () => {
    const batch = [record(), ...bad.map(({ field, value }) => record({ [field]: value }))];
    const error = expectRefused(await post('/predict', json(batch)));
    expect(error.issues!.map((i) => [i.index, i.path])).toEqual(bad.map(({ field }, k) => [k + 1, field]));
  });

  it('records that are not objects, alone or in a batch', async () => {
    for (const body of ['null', '42', '"record"', 'true', '-0']) expectRefused(await post('/predict', body), [[0, '', 'record']]);
    const error = expectRefused(await post('/predict', json([record(), null, [], 'junk', 42, {}, record({ temperature: 205 })])));
    expect(error.issues!.map((i) => [i.index, i.path])).toEqual([
      [1, ''],
      [2, ''],
      [3, ''],
      [4, ''],
      ...['date', 'temperature', 'feelsLike', 'humidity', 'windSpeed', 'weather'].map((f) => [5, f]),
      [6, 'temperature'],
    ]);
  });

  const WRONG_COLUMNS: Record<string, unknown[]> = {
    dteday: [null, 20120605, '', '2012-02-30', [], {}],
    weathersit: [null, 0, 5, 1.5, '1', 'clear', []],
    temp: [null, '0.5', true, [], {}],
    atemp: [null, '0.5', false],
    hum: [null, '61%', []],
    windspeed: [null, '0.2', {}],
    season: ['spring', 1.5, []],
    holiday: [2, 'no', []],
    workingday: [-1, 'yes'],
  };
  const badRows = Object.entries(WRONG_COLUMNS).flatMap(([column, values]) => values.map((value) => ({ column, value })));

  for (const path of MAKECALC) {
    it(`${path}: each wrong column, alone and all in one request, named by row key and column`, async () => {
      for (const { column, value } of badRows) expectRefused(await post(path, json({ '5': row({ [column]: value }) })), [[5, column]]);
      const body = Object.fromEntries(badRows.map(({ column, value }, k) => [String(100 + k), row({ [column]: value })]));
      const error = expectRefused(await post(path, json(body)));
      expect(error.issues!.map((i) => [i.index, i.path])).toEqual(badRows.map(({ column }, k) => [100 + k, column]));
    });

    it(`${path}: bodies that are not an object of rows, rows that are not objects, keys that are not row indices`, async () => {
      for (const body of ['[]', `[${json(ROW)}]`, 'null', '42', '"rows"', 'true'])
        expectRefused(await post(path, body), [[-1, '', 'record']]);
      const error = expectRefused(await post(path, json({ '0': ROW, '1': null, '2': [ROW], '3': 'junk', '4': 7 })));
      expect(error.issues!.map((i) => [i.index, i.path, i.kind])).toEqual([1, 2, 3, 4].map((k) => [k, '', 'record']));
      for (const key of ['x', '-1', '01', '1.5', '1e3', '', ' 1', '__proto__', '9'.repeat(16)]) {
        expectRefused(await post(path, objectText([[key, json(ROW)]])), [[-1, key, 'record']]);
      }
    });
  }
});

describe('not JSON at all', () => {
  for (const path of ['/predict', ...MAKECALC]) {
    it(`${path}: malformed, empty, not UTF-8, or not declared as JSON`, async () => {
      for (const body of ['{"date": ', '', '{date: "2012-06-05"}', "{'a': 1}", '[1,]', 'NaN', '{"a":1}}'])
        expectRefused(await post(path, body), [], 'ERR_BAD_JSON');
      expectRefused(await post(path, new Uint8Array([0x7b, 0xff, 0x7d])), [], 'ERR_BAD_JSON');
      expectRefused(await post(path, json(RECORD), 'text/plain'), [], 'ERR_MEDIA_TYPE');
    });
  }
});
