/** Help texts; kept apart from the commands so the logic reads without them. */

/** One line per command, for errors. */
export const USAGE = 'Usage: featurecast <predict|serve|info|fit|features|train|bundle|check> [options]   (featurecast --help for more)';

const BUNDLE = `  --bundle <manifest>   manifest.json of the model bundle (default: the bundled bike-daily model)
  --engine <auto|trees|onnxruntime>   what runs the model (default auto: the built-in tree
                        engine for a tree ensemble, onnxruntime-web for any other graph)`;

/** Full help per command. */
export const HELP = {
  main: `featurecast: run a trained tabular model bundle from the command line.

Usage:
  featurecast predict [--bundle <manifest>] [file]   predictions for JSON, NDJSON or CSV records
  featurecast serve   [--bundle <manifest>] [--host 127.0.0.1] [--port 5000]   HTTP endpoint
  featurecast info    [--bundle <manifest>]           what the model takes and returns

Build a bundle for your own data and model:
  featurecast fit      --spec spec.json --data train.csv --out pipeline.json
  featurecast features --pipeline pipeline.json data.csv [--keep col] --out features.csv
  featurecast train    --pipeline pipeline.json --data train.csv --target col --out bundle/
  featurecast bundle   --pipeline pipeline.json --model model.onnx --out bundle/ [--check data.csv --expect predictions.csv]
  featurecast check    bundle/

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
  fit: `Usage: featurecast fit --spec <spec.json> --data <file> --out <pipeline.json>

Fits the spec's feature steps on training data: every input's training range, every step's
parameters (scales, vocabularies, bucket edges) and the reference statistics drift monitoring
uses. Data: CSV with a header, a JSON array of records, or NDJSON. Any bad row fails the fit; all
are listed by line and field. docs/pipeline-spec.md describes the spec.

Options:
  --spec <file>         the pipeline spec (JSON)
  --data <file>         training data
  --out <file>          where to write the fitted pipeline
  --quiet               no progress on stderr
`,
  features: `Usage: featurecast features --pipeline <pipeline.json> <data> --out <features.csv> [--keep <col,…>]

Writes the model matrix of every row exactly as the library computes it when predicting: a CSV
whose header is the model's columns in order, values float32 in their shortest round-trip form
(NaN for a missing value). Train any model on it. Streams, with progress on stderr.

Options:
  --pipeline <file>     the fitted pipeline (from featurecast fit)
  --keep <col,…>        data columns to copy after the features, e.g. the target (repeatable)
  --out <file>          where to write the CSV (written whole or not at all)
  --quiet               no progress on stderr
`,
  train: `Usage: featurecast train --pipeline <pipeline.json> --data <file> --target <col> --out <dir>

Trains featurecast's gradient-boosted trees on the pipeline's features and writes a bundle
(manifest.json + model.onnx). output.transform (log, log1p) is applied to the target; with
output.level and no byYear a per-year level is fitted with the trees.

Options:
  --pipeline <file>     the fitted pipeline
  --data <file>         training data holding the inputs and the target
  --target <col>        the column to predict
  --out <dir>           the bundle folder
  --trees <n>           boosting rounds (default 300)
  --depth <n>           tree depth (default 4)
  --learning-rate <x>   shrinkage (default 0.05)
  --min-leaf <n>        fewest rows in a leaf (default 5)
  --subsample <x>       share of rows per tree, (0, 1] (default 0.8)
  --bins <n>            histogram bins per feature (default 64)
  --l2 <x>              leaf regularisation (default 1)
  --seed <n>            random seed (default 42); same seed, same data → the same model bytes
  --quiet               no progress on stderr
`,
  bundle: `Usage: featurecast bundle --pipeline <pipeline.json> --model <model.onnx> --out <dir> [--check <data> [--expect <predictions>]]

Bundles a model trained elsewhere (scikit-learn, XGBoost, PyTorch … exported to ONNX) whose input
is the float32 matrix [N, width] of the pipeline's columns. Refuses a model whose input does not
match the pipeline, naming both.

Options:
  --pipeline <file>     the fitted pipeline
  --model <file.onnx>   the model
  --out <dir>           the bundle folder
  --output <name>       which model output is the prediction (default: the first)
  --check <data>        records to run through the finished bundle: any it refuses fail the bundle
  --expect <file>       the trainer's own predictions on the --check rows (one number per row,
                        e.g. model.predict on the features file); any difference beyond float32
                        tolerance fails the bundle, naming the row and both values
  --quiet               no progress on stderr
`,
  check: `Usage: featurecast check <bundle dir | manifest.json> [--json]

Checks a bundle: the manifest's schema, the model's sha256 and size, that the model loads and
takes the columns the feature steps write, and that a sample record predicts.
`,
} as const;
