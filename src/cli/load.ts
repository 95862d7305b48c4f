import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ENGINE_CHOICES, type EngineChoice } from '../engine/engines/session.js';
import { createPredictor, type Predictor } from '../predictor.js';
import type { BundleInfo } from '../schema/info.js';
import type { HandlerRoute } from '../server/routes.js';
import { CliError, EXIT, type Values } from './args.js';

/** Loading the bundle a command names with `--bundle`, or the bundled bike model. */

/** What the CLI uses of `featurecast/bike-daily`, the default bundle (built after the core, so typed here). */
export interface BikeEntry {
  bikeDaily: { manifest: string; model: string };
  acceptsBikeRecords(info: BundleInfo): boolean;
  makecalcRoute: HandlerRoute;
}
const BIKE_ENTRY = 'featurecast/bike-daily';
export const bikeEntry = () => import(BIKE_ENTRY) as Promise<BikeEntry>;

/** The bundle at a path or URL (`--bundle`), inline (a command runs in Node), on `--engine`; the bike model when none is named. */
export async function load(values: Values): Promise<Predictor> {
  const bundle = values.bundle as string | undefined;
  const engine = (values.engine as string | undefined) ?? 'auto';
  if (!(ENGINE_CHOICES as readonly string[]).includes(engine))
    throw new CliError(`--engine must be ${ENGINE_CHOICES.join(', ')}, not "${engine}"`, EXIT.usage);
  // A file URL, so a Windows drive letter is never mistaken for a URL scheme.
  const location =
    bundle === undefined
      ? (await bikeEntry()).bikeDaily
      : /^[a-z][a-z0-9+.-]+:\/\//i.test(bundle)
        ? bundle
        : pathToFileURL(resolve(bundle));
  return createPredictor(location, { worker: false, cache: false, engine: engine as EngineChoice });
}
