import type { Page } from '@playwright/test';

/**
 * Measures the longest main-thread stall while a page works: the longest long-task entry, or
 * the largest gap between heartbeats (a MessageChannel message every millisecond, ≈ 1 ms more
 * than the stall), whichever is larger. Not back to back: at ~65,000 beats a second the loop
 * kept a core busy and made enough garbage to lengthen, by ~20 ms, the garbage collections it
 * was measuring. Installed as `window.stallProbe`: `start()` before each piece of work, `stop()`
 * after it, `longest()` once at the end.
 */
export function installStallProbe(page: Page): Promise<void> {
  return page.evaluate(() => {
    // Long tasks outside the measured windows (a page's own set-up) do not count.
    const windows: Array<[number, number]> = [];
    const tasks: Array<[number, number]> = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) tasks.push([entry.startTime, entry.startTime + entry.duration]);
    }).observe({ type: 'longtask' });
    let running = false;
    let last = 0;
    let gap = 0;
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      const now = performance.now();
      gap = Math.max(gap, now - last);
      last = now;
      if (running) setTimeout(() => channel.port2.postMessage(0), 1);
    };
    (window as unknown as { stallProbe: StallProbe }).stallProbe = {
      start() {
        last = performance.now();
        windows.push([last, Infinity]);
        running = true;
        channel.port2.postMessage(0);
      },
      stop() {
        running = false;
        windows[windows.length - 1]![1] = performance.now();
      },
      async longest() {
        // Long-task entries are delivered after the task: let them arrive.
        await new Promise((resolve) => setTimeout(resolve, 100));
        let longest = gap;
        for (const [from, to] of tasks) {
          if (windows.some(([start, end]) => from < end && to > start)) longest = Math.max(longest, to - from);
        }
        return longest;
      },
    };
  });
}

export interface StallProbe {
  start(): void;
  stop(): void;
  /** The longest stall between any `start` and its `stop`, in ms. */
  longest(): Promise<number>;
}
