#!/usr/bin/env node
// corpus/node/glue-run.js - runs a corpus module through emcc's OWN generated
// .js glue (not host.js), as a cross-check of corpus/node/host.js.
//
//   node corpus/node/glue-run.js corpus/out/c/NAME.js [ARGS...]
//   node corpus/node/glue-run.js corpus/out/mquickjs.js --eval CODE [--heap BYTES]
//
// Two node 20 pitfalls with emcc 3.1.6's glue are handled here:
//  * node 20 has a global fetch(), so the glue tries to fetch() the .wasm by
//    file path and dies ("Failed to parse URL"); we pass Module.wasmBinary
//    (plain `node --no-experimental-fetch X.js` also works for programs).
//  * the glue starts with `var Module = typeof Module != "undefined" ? ...`;
//    loaded with require() that `var` is module-local and shadows any global
//    Module, so the glue is evaluated in the global scope with vm instead.
// Only stdout and the status of normal exits are comparable with host.js:
// on abort/assert/uncaught longjmp the glue rethrows into node, which prints
// the minified glue source and exits with status 7.
'use strict';
const fs = require('fs');
const path = require('path');
const vm = require('vm');

const [js, ...rest] = process.argv.slice(2);
if (!js) {
    console.error('usage: node glue-run.js X.js [ARGS... | --eval CODE [--heap BYTES]]');
    process.exit(2);
}
const file = path.resolve(js);
const Module = {
    wasmBinary: fs.readFileSync(file.replace(/\.js$/, '.wasm')),
    arguments: rest,
    thisProgram: './this.program', // what host.js passes as argv[0]
};

if (rest[0] === '--eval' || rest[0] === '--heap') {
    let heap = 16 << 20, code = null;
    for (let i = 0; i < rest.length; i += 2) {
        if (rest[i] === '--eval') code = rest[i + 1];
        else if (rest[i] === '--heap') heap = Number(rest[i + 1]);
    }
    Module.noInitialRun = true;
    Module.onRuntimeInitialized = () => {
        const M = globalThis.Module;
        const cstr = p => Buffer.from(M.HEAPU8.subarray(p, M.HEAPU8.indexOf(0, p)));
        if (!M._sandbox_init(heap)) {
            console.error(`sandbox_init(${heap}) failed`);
            process.exit(1);
        }
        const bytes = Buffer.from(code, 'utf8');
        const p = M._malloc(bytes.length + 1);
        M.HEAPU8.set(bytes, p);
        M.HEAPU8[p + bytes.length] = 0;
        const r = M._sandbox_eval(p, bytes.length);
        M._free(p);
        if (!r) {
            const msg = cstr(M._sandbox_get_error());
            process.stderr.write(msg[msg.length - 1] === 10 ? msg : Buffer.concat([msg, Buffer.from('\n')]));
            process.exit(1);
        }
        process.stdout.write(Buffer.concat([cstr(r), Buffer.from('\n')]));
    };
}

globalThis.Module = Module;
globalThis.require = require;
globalThis.__dirname = path.dirname(file);
vm.runInThisContext(fs.readFileSync(file, 'utf8'), { filename: file });
