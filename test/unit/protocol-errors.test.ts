import { expose, transferHandlers, wrap } from 'comlink';
import { afterEach, describe, expect, it } from 'vitest';
import { BundleError, ValidationError } from '../../src/errors.js';
import { rethrowing, returningErrors } from '../../src/engine/transport/protocol.js';

/**
 * featurecast's errors cross comlink as returned values (engine/transport/protocol.ts), so comlink's global
 * 'throw' handler stays the app's. Checked here over a MessageChannel in Node; the browser proof,
 * with an app's own comlink worker beside featurecast's, is e2e/comlink-app.spec.ts.
 */

const pristine = new Map(transferHandlers);
const ports: MessagePort[] = [];
afterEach(() => ports.splice(0).forEach((port) => port.close()));

function connect<T extends object>(api: T) {
  const { port1, port2 } = new MessageChannel();
  ports.push(port1, port2);
  expose(returningErrors(api), port1);
  return rethrowing(wrap<T>(port2));
}

const issue = { index: 1, path: 'weather', kind: 'unknown-category' as const, message: 'unknown value', received: 'fog' };

describe('featurecast errors over comlink', () => {
  it('keep their class, code and details, thrown or rejected, and values pass unchanged', async () => {
    const remote = connect({
      sync(): number {
        throw new ValidationError([issue]);
      },
      async rejects(): Promise<number> {
        throw new BundleError('ERR_BUNDLE_FETCH', 'not found', { url: 'model.onnx', status: 404 });
      },
      plain(): never {
        throw new TypeError('plain');
      },
      ok: (x: number) => ({ doubled: x * 2 }),
    });
    const sync = await remote.sync().catch((e: unknown) => e);
    expect(sync).toBeInstanceOf(ValidationError);
    expect(sync).toMatchObject({ code: 'ERR_VALIDATION', issues: [issue] });
    const rejects = await remote.rejects().catch((e: unknown) => e);
    expect(rejects).toBeInstanceOf(BundleError);
    expect(rejects).toMatchObject({ code: 'ERR_BUNDLE_FETCH', details: { url: 'model.onnx', status: 404 } });
    await expect(remote.plain()).rejects.toMatchObject({ name: 'TypeError', message: 'plain' });
    await expect(remote.ok(21)).resolves.toEqual({ doubled: 42 });
  });

  it("leave comlink's transfer handlers exactly as comlink made them", async () => {
    const remote = connect({
      fail(): never {
        throw new ValidationError([issue]);
      },
    });
    await expect(remote.fail()).rejects.toBeInstanceOf(ValidationError);
    expect([...transferHandlers]).toEqual([...pristine]);
    expect(transferHandlers.get('throw')).toBe(pristine.get('throw'));
  });
});
