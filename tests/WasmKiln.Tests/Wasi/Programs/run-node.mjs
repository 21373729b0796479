// Runs a WASI program under Node's WASI with the same inputs the xunit tests give it
// (ProgramRunTests.cs): a fresh empty temp dir preopened as /sandbox, the environment below,
// stdin from a file. Dev only: checks the .expected files against a second runtime.
// usage: node --experimental-wasi-unstable-preview1 run-node.mjs WASM STDIN_FILE ARGS...
import { readFileSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { WASI } from 'node:wasi';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [wasmPath, stdinFile, ...args] = process.argv.slice(2);
const dir = mkdtempSync(join(tmpdir(), 'wasi-walk-'));
const wasi = new WASI({
  version: 'preview1',
  args,
  env: { WALK_MODE: 'test', HOME: '/nowhere', A_FIRST: '1' },
  preopens: { '/sandbox': dir },
  stdin: openSync(stdinFile, 'r'),
  returnOnExit: true,
});
const module = await WebAssembly.compile(readFileSync(wasmPath));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
const code = wasi.start(instance);
rmSync(dir, { recursive: true, force: true });
process.stderr.write(`[exit code ${code}]\n`);
process.exitCode = code;
