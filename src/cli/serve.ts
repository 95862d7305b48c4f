import { createFetchHandler, DEFAULT_MAX_BATCH_SIZE, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_CONCURRENT } from '../server/handler.js';
import { DEFAULT_SERVE_TIMEOUTS, serve, type ServeHandle } from '../server/node.js';
import type { HandlerRoute } from '../server/routes.js';
import { CliError, EXIT, integer, parse } from './args.js';
import { bikeEntry, load } from './load.js';

/**
 * `featurecast serve`: the bundle over HTTP until SIGINT/SIGTERM, with every limit of the
 * handler and of `serve` as a flag.
 */

const MAX_MS = 2_147_483_647;

const flags = {
  bundle: { type: 'string' },
  engine: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  host: { type: 'string' },
  port: { type: 'string' },
  cors: { type: 'string', multiple: true },
  'max-body-bytes': { type: 'string' },
  'max-batch': { type: 'string' },
  'max-concurrent': { type: 'string' },
  'timeout-ms': { type: 'string' },
  'headers-timeout-ms': { type: 'string' },
  'request-timeout-ms': { type: 'string' },
  'body-timeout-ms': { type: 'string' },
  'keep-alive-timeout-ms': { type: 'string' },
} as const;

/** Runs `featurecast serve` with its arguments; resolves to the exit code once stopped. */
export async function serveCommand(args: readonly string[]): Promise<number> {
  const { values } = parse(args, flags, 'serve');
  const text = (flag: keyof typeof flags) => values[flag] as string | undefined;
  const port = integer(text('port'), '--port', 5000, 0, 65535);
  const maxBodyBytes = integer(text('max-body-bytes'), '--max-body-bytes', DEFAULT_MAX_BODY_BYTES, 1, 2 ** 31);
  const maxBatchSize = integer(text('max-batch'), '--max-batch', DEFAULT_MAX_BATCH_SIZE, 1, 1_048_576);
  const maxConcurrent = integer(text('max-concurrent'), '--max-concurrent', DEFAULT_MAX_CONCURRENT, 1, 1_000_000);
  const timeoutText = text('timeout-ms');
  const timeoutMs = timeoutText === undefined ? undefined : integer(timeoutText, '--timeout-ms', 0, 1, MAX_MS);
  const headersTimeoutMs = integer(text('headers-timeout-ms'), '--headers-timeout-ms', DEFAULT_SERVE_TIMEOUTS.headersTimeoutMs, 1, MAX_MS);
  const requestDefault = Math.max(DEFAULT_SERVE_TIMEOUTS.requestTimeoutMs, headersTimeoutMs);
  const requestTimeoutMs = integer(text('request-timeout-ms'), '--request-timeout-ms', requestDefault, 1, MAX_MS);
  const bodyTimeoutMs = integer(text('body-timeout-ms'), '--body-timeout-ms', DEFAULT_SERVE_TIMEOUTS.bodyTimeoutMs, 1, MAX_MS);
  const keepAliveTimeoutMs = integer(
    text('keep-alive-timeout-ms'),
    '--keep-alive-timeout-ms',
    DEFAULT_SERVE_TIMEOUTS.keepAliveTimeoutMs,
    1,
    MAX_MS,
  );
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new CliError(`--headers-timeout-ms (${headersTimeoutMs}) must not exceed --request-timeout-ms (${requestTimeoutMs})`, EXIT.usage);
  }
  const cors = (values.cors as string[] | undefined)
    ?.flatMap((c) => c.split(','))
    .map((c) => c.trim())
    .filter(Boolean);

  const predictor = await load(values);
  // The seed's /api/makecalc/ route belongs to the bike model: served for bundles that take its record.
  const bike = await bikeEntry();
  const seed = bike.acceptsBikeRecords(predictor.info);
  const routes: Record<string, HandlerRoute> = seed ? { '/api/makecalc': bike.makecalcRoute } : {};
  const handler = createFetchHandler(predictor, {
    maxBodyBytes,
    maxBatchSize,
    maxConcurrent,
    timeoutMs,
    corsOrigins: cors?.includes('*') ? '*' : cors,
    routes,
  });
  let server: ServeHandle;
  try {
    server = await serve(handler, {
      host: (values.host as string | undefined) ?? '127.0.0.1',
      port,
      maxBodyBytes,
      headersTimeoutMs,
      requestTimeoutMs,
      bodyTimeoutMs,
      keepAliveTimeoutMs,
    });
  } catch (error) {
    await predictor.dispose();
    throw new CliError(`cannot listen: ${(error as Error).message}`, EXIT.usage);
  }
  const { name, version } = predictor.info;
  const paths = `POST /predict${seed ? ', POST /api/makecalc/' : ''}, GET /model, GET /health`;
  process.stderr.write(`featurecast: serving ${name} ${version} on ${server.url} (${paths})\n`);
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await server.close();
  await predictor.dispose();
  return EXIT.ok;
}
