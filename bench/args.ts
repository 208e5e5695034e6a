/** Command-line options the benches share. */

/** The number after `name` on the command line; `fallback` when absent, not a number, or not positive (0 allowed with `zeroOk`). */
export function argValue(name: string, fallback: number, zeroOk = false): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) && (v > 0 || (zeroOk && v === 0)) ? v : fallback;
}
