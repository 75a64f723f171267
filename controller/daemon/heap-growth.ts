/**
 * How far V8 lets the daemon's heap grow past what survived the last full GC before collecting again.
 * V8 picks that factor for throughput, up to 4×, and a busy daemon never idles long enough for V8's
 * memory reducer to hand the slack back: at a thousand services, 70–85 MB live sat in a heap of up to
 * 125 MB, and the pages it had grown into stayed resident. A long-running process holding a fleet's
 * state wants a steady footprint instead, at the price of more frequent full GCs (measured in bench/).
 */
import { setFlagsFromString } from "node:v8";

/** Collect again once the heap has grown this much (%) past what survived the last full GC. */
export const DAEMON_HEAP_GROWING_PERCENT = 25;

/**
 * Sets the daemon's heap growth, unless the operator started Node with `--heap-growing-percent` (a V8
 * flag, so given to `node` itself: NODE_OPTIONS does not accept it). Called before the daemon loads its
 * fleet; V8 reads the factor at every full GC.
 */
export function limitHeapGrowth(
  execArgv: readonly string[] = process.execArgv,
  setV8Flags: (flags: string) => void = setFlagsFromString,
): void {
  if (execArgv.some((argument) => /^--heap[-_]growing[-_]percent(=|$)/.test(argument))) return;
  setV8Flags(`--heap-growing-percent=${DAEMON_HEAP_GROWING_PERCENT}`);
}
