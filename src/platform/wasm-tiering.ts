import { setFlagsFromString } from 'node:v8';

/**
 * Embedded PGlite is PostgreSQL compiled to WebAssembly. V8 runs a wasm function with its baseline compiler's code
 * first and recompiles it optimised, on background threads, once it has run a budget's worth (roughly bytes of code
 * executed). PostgreSQL's functions are large and a start runs many of them a little (opening the database, the demo
 * seed): with V8's default budget a fresh start spends ~1.5 s of CPU optimising code it then barely runs again, which
 * on a 2-core machine is time taken from the start itself. A 100× budget leaves optimising to the functions that stay
 * hot under real load (after a few hundred requests the CPU per request is the same: bench/README.md, "Cold start").
 * Read when a module is instantiated: call it before the database is opened.
 */
export function raiseWasmTieringBudget(): void {
  setFlagsFromString('--wasm-tiering-budget=180000000');
}
