/**
 * Network time: wall time minus the stretches in which this process's event
 * loop was blocked (a long parse of a hostile page, a long GC pause).
 *
 * A timeout is meant to measure the network, not our own CPU. With plain
 * timers, a page that takes one scanner 5 s to parse makes every other site's
 * request in flight "time out" the moment the loop is free again — although
 * its answer may be sitting in the socket buffer, unread. Timers made here
 * check, when they fire, how much network time has passed; when the loop was
 * blocked they wait out the rest (the reply is read in the same turn of the
 * loop, after the timers).
 *
 * A blocked stretch is a gap of more than {@link STALL_MS} between two ticks of
 * a light interval timer that runs only while a network timer is pending.
 */
const TICK_MS = 25;
/** A gap longer than this between ticks is the loop blocked, not a busy loop. */
export const STALL_MS = 100;

let last = 0;
let stalled = 0;
let ticker: NodeJS.Timeout | null = null;
let holders = 0;

function tick(): void {
  const now = performance.now();
  const gap = now - last - TICK_MS;
  if (gap > STALL_MS) stalled += gap;
  last = now;
}

/** Milliseconds of network time (monotonic, arbitrary origin). */
export function networkNow(): number {
  const now = performance.now();
  const gap = now - last - TICK_MS;
  return now - stalled - (ticker !== null && gap > STALL_MS ? gap : 0);
}

function hold(): void {
  if (holders++ === 0) {
    last = performance.now();
    ticker = setInterval(tick, TICK_MS);
    ticker.unref();
  }
}

function release(): void {
  if (--holders === 0 && ticker !== null) {
    clearInterval(ticker);
    ticker = null;
  }
}

/**
 * Call `fn` once `ms` of network time has passed. Returns a function that
 * cancels it. The timer does not keep the process alive.
 */
export function networkTimer(ms: number, fn: () => void): () => void {
  hold();
  let live = true;
  let timer: NodeJS.Timeout;
  const start = networkNow();
  const check = (): void => {
    const left = ms - (networkNow() - start);
    if (left > 1) {
      timer = setTimeout(check, left);
      timer.unref();
      return;
    }
    live = false;
    release();
    fn();
  };
  timer = setTimeout(check, ms);
  timer.unref();
  return () => {
    if (!live) return;
    live = false;
    clearTimeout(timer);
    release();
  };
}

/**
 * An AbortSignal that aborts (with a `TimeoutError`, like `AbortSignal.timeout`)
 * once `ms` of network time has passed; `clear()` when the operation is over.
 */
export function networkDeadline(ms: number): { signal: AbortSignal; clear: () => void } {
  const controller = new AbortController();
  const clear = networkTimer(ms, () => controller.abort(new DOMException(`no answer within ${ms} ms`, 'TimeoutError')));
  return { signal: controller.signal, clear };
}
