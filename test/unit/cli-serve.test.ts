import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HELP } from '../../src/cli/help.js';
import { runCli } from '../../src/cli/run.js';
import { benchRecords } from '../bench/records.js';
import { postBytes, rawClient, readResponse } from '../fixtures/server-tools.js';
import { serveTsx } from '../fixtures/run-tsx.js';

/** `featurecast serve` limit flags: checked before the bundle loads, and passed on to the server. */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = join(ROOT, 'src/cli/main.ts');

afterEach(() => {
  vi.restoreAllMocks();
});

/** Runs the CLI in this process (usage errors return before anything listens) and keeps its stderr. */
async function usage(args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  const code = await runCli(args);
  return { code, stderr };
}

describe('featurecast serve limit flags', () => {
  it('every limit has a flag in the help', () => {
    for (const flag of [
      '--max-concurrent',
      '--timeout-ms',
      '--headers-timeout-ms',
      '--request-timeout-ms',
      '--body-timeout-ms',
      '--keep-alive-timeout-ms',
    ]) {
      expect(HELP.serve).toContain(flag);
    }
  });

  it.each([
    [['--max-concurrent', '0'], '--max-concurrent must be an integer 1–1000000, not "0"'],
    [['--timeout-ms', 'soon'], '--timeout-ms must be an integer'],
    [['--body-timeout-ms=1.5'], '--body-timeout-ms must be an integer'],
    [
      ['--headers-timeout-ms', '5000', '--request-timeout-ms', '1000'],
      '--headers-timeout-ms (5000) must not exceed --request-timeout-ms (1000)',
    ],
  ])('serve %j exits 2 before loading the bundle', async (args, message) => {
    const run = await usage(['serve', ...args]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });

  it('the flags reach the server: a slow body gets 408 after --body-timeout-ms, and SIGTERM still stops it', async () => {
    const args = [
      'serve',
      '--port',
      '0',
      '--max-concurrent',
      '2',
      '--timeout-ms',
      '5000',
      '--body-timeout-ms',
      '300',
      '--headers-timeout-ms',
      '1000',
      '--request-timeout-ms',
      '4000',
      '--keep-alive-timeout-ms',
      '1000',
    ];
    const { child, url: listening } = serveTsx(MAIN, args, { cwd: ROOT });
    try {
      const url = await listening;
      expect((await fetch(`${url}/health`)).status).toBe(200);
      const client = await rawClient(Number(new URL(url).port));
      try {
        const bytes = postBytes('/predict', JSON.stringify(benchRecords(1)[0]));
        client.socket.write(bytes.subarray(0, bytes.indexOf('\r\n\r\n') + 5)); // headers and one body byte, then nothing
        const response = await readResponse(client, 5000);
        expect(response?.status).toBe(408);
        expect(JSON.parse(response!.body).error.code).toBe('ERR_BODY_TIMEOUT');
      } finally {
        client.socket.destroy();
      }
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    // A child process through tsx that loads the model: 15 s seen on a loaded 2-core machine.
  }, 60_000);
});
