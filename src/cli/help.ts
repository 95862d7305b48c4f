/** Help texts; kept apart from the commands so the logic reads without them. */

/** One line per command, for errors. */
export const USAGE = 'Usage: featurecast <predict|serve|info> [options]   (featurecast --help for more)';

const BUNDLE = '  --bundle <manifest>   manifest.json of the model bundle (default: the bundled bike-daily model)';

/** Full help per command. */
export const HELP = {
  main: `featurecast: run a trained tabular model bundle from the command line.

Usage:
  featurecast predict [--bundle <manifest>] [file]   predictions for JSON, NDJSON or CSV records
  featurecast serve   [--bundle <manifest>] [--host 127.0.0.1] [--port 5000]   HTTP endpoint
  featurecast info    [--bundle <manifest>]           what the model takes and returns

Run "featurecast <command> --help" for a command's options.
Exit codes: 0 done, 1 bad input, 2 bad usage, 3 the bundle could not be loaded or run.
`,
  predict: `Usage: featurecast predict [options] [file]

Reads records from <file> (or stdin when no file or "-") and writes one prediction per record
to stdout, in input order: a JSON array, or NDJSON with --ndjson. A single JSON object in gives
a single prediction out.

Input formats (guessed from the extension, else from the content):
  json     an array of records, or one record
  ndjson   one JSON record per line (.ndjson, .jsonl)
  csv      a header row of field names; numeric fields become numbers, boolean fields
           accept true/false, an empty cell is a missing field

Options:
${BUNDLE}
  --format <json|ndjson|csv>   skip the guess
  --ndjson              write NDJSON instead of a JSON array
  --invalid <reject|report>   reject (default): any invalid record fails the run and nothing is
                        written; report: predict the valid ones, {"error": …} in place of the rest
  --strict              refuse fields the model does not declare
  --progress            show a progress bar on stderr (default: on a terminal for ≥ 10,000 records)
  -h, --help            this help

Invalid records are listed on stderr by record number, line and field; exit code 1.
`,
  serve: `Usage: featurecast serve [options]

Serves the bundle over HTTP until Ctrl-C:
  POST /predict          a record → a prediction; an array of records → an array
  POST /api/makecalc/    the old Flask service's shape: {"<row>": UCI day.csv row} → {"<row>": prediction}
  GET  /model            the bundle's inputs, output and metrics
  GET  /health           {"status": "ok"}

Options:
${BUNDLE}
  --host <address>      interface to listen on (default 127.0.0.1, this machine only)
  --port <n>            port (default 5000; 0 picks a free one)
  --cors <origin,…>     origins allowed to call from a browser, or * (repeatable)
  --max-body-bytes <n>  largest request body (default 1048576)
  --max-batch <n>       most records per request (default 10000)
  --max-concurrent <n>  most requests predicting at once; past it 503 ERR_OVERLOADED with
                        Retry-After (default 64; /health and /model are not counted)
  --timeout-ms <ms>     longest a request may take to answer, 503 ERR_TIMEOUT after (default
                        none); a client may ask for less with ?timeoutMs= or X-Timeout-Ms
  --headers-timeout-ms <ms>     time to receive a request's headers (default 10000)
  --request-timeout-ms <ms>     time to receive a whole request (default 30000)
  --body-timeout-ms <ms>        longest pause inside a body, 408 ERR_BODY_TIMEOUT (default 10000)
  --keep-alive-timeout-ms <ms>  how long an idle connection stays open (default 5000)
  -h, --help            this help

A client that disconnects cancels its prediction.
`,
  info: `Usage: featurecast info [options]

Describes the bundle: inputs with types, units and training ranges, the output, and metrics.

Options:
${BUNDLE}
  --json                the full description as JSON
  -h, --help            this help
`,
} as const;
