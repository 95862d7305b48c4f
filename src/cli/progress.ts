/**
 * A progress bar on stderr. On a terminal it redraws one line; when forced onto a pipe or file
 * (`--progress`) it writes a plain line every 10% instead, so logs stay readable.
 */

/** A progress display fed with the count of records done. */
export interface Progress {
  update(done: number): void;
  finish(): void;
}

const WIDTH = 30;

/** A bar for `total` records on `stream`, or a no-op when `enabled` is false. */
export function progressBar(stream: NodeJS.WriteStream, total: number, enabled: boolean): Progress {
  if (!enabled || total === 0) return { update() {}, finish() {} };
  const tty = stream.isTTY === true;
  let lastTenth = -1;
  let shown = false;
  const draw = (done: number) => {
    const share = done / total;
    if (tty) {
      const filled = Math.round(share * WIDTH);
      stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${Math.floor(share * 100)}% ${done}/${total} records`);
      shown = true;
      return;
    }
    const tenth = Math.floor(share * 10);
    if (tenth === lastTenth) return;
    lastTenth = tenth;
    stream.write(`progress: ${tenth * 10}% (${done}/${total} records)\n`);
  };
  return {
    update: draw,
    finish() {
      draw(total);
      if (tty && shown) stream.write('\n');
    },
  };
}
