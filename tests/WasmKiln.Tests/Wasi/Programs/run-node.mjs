// Runs a WASI program under Node's WASI with the same inputs the xunit tests give it
// (WasiProgramTests.cs): a fresh empty temp dir preopened as /sandbox, the environment below,
// stdin from a file. Dev only: checks the .expected files against a second runtime.
// usage: node --experimental-wasi-unstable-preview1 run-node.mjs [--with-ro] WASM STDIN_FILE ARGS...
// --with-ro also preopens /ro: a temp dir with ro.txt and sub/ (Node cannot make it read-only).
import { readFileSync, mkdtempSync, openSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { WASI } from 'node:wasi';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let argv = process.argv.slice(2);
const withRo = argv[0] === '--with-ro';
if (withRo) argv = argv.slice(1);
const [wasmPath, stdinFile, ...args] = argv;
const dir = mkdtempSync(join(tmpdir(), 'wasi-walk-'));
const preopens = { '/sandbox': dir };
let ro = null;
if (withRo) {
  ro = mkdtempSync(join(tmpdir(), 'wasi-ro-'));
  writeFileSync(join(ro, 'ro.txt'), 'read-only data\n');
  mkdirSync(join(ro, 'sub'));
  preopens['/ro'] = ro;
}
const wasi = new WASI({
  version: 'preview1',
  args,
  env: { WALK_MODE: 'test', HOME: '/nowhere', A_FIRST: '1' },
  preopens,
  stdin: openSync(stdinFile, 'r'),
  returnOnExit: true,
});
const module = await WebAssembly.compile(readFileSync(wasmPath));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
const code = wasi.start(instance);
rmSync(dir, { recursive: true, force: true });
if (ro) rmSync(ro, { recursive: true, force: true });
process.stderr.write(`[exit code ${code}]\n`);
process.exitCode = code;
