import * as z from 'zod/mini';
import { BundleError } from '../errors.js';
import { FORMAT_VERSION, manifestSchema, type Manifest } from './manifest.js';

/** Validates a manifest once, at load time; `where` names its source in error messages. */
export function parseManifest(json: unknown, where: string): Manifest {
  const version = (json as { formatVersion?: unknown } | null)?.formatVersion;
  if (typeof json === 'object' && json !== null && version !== FORMAT_VERSION) {
    throw new BundleError(
      'ERR_BUNDLE_VERSION',
      `Manifest at ${where} has formatVersion ${JSON.stringify(version)}; this featurecast reads formatVersion ${FORMAT_VERSION}`,
      { url: where, formatVersion: version },
    );
  }
  const result = manifestSchema.safeParse(json);
  if (!result.success) {
    throw new BundleError('ERR_BUNDLE_INVALID', `Manifest at ${where} is invalid:\n${z.prettifyError(result.error)}`, {
      url: where,
      issues: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    });
  }
  return result.data;
}
