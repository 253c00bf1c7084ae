#!/usr/bin/env node
// corpus/node/host.js - a small, generic host for the emcc 3.1.6 "JS-host
// flavour" .wasm files of the corpus (built with `emcc -o X.js`; we use the
// X.wasm and never the generated X.js). It runs them on V8 with
// WebAssembly.Instance and serves as the second opinion our Rust engine is
// compared against: for the same module and arguments, stdout and the exit
// status must be identical.
//
// Usage:
//   node corpus/node/host.js PROG.wasm [ARGS...]
//       runs `main` (or `__main_argc_argv`) with argv = ["./this.program", ARGS...]
//       and exits with its status.
//   node corpus/node/host.js mquickjs.wasm [--heap BYTES] (--eval CODE | --file PATH)...
//       for a module exporting sandbox_init/sandbox_eval/sandbox_get_error:
//       sandbox_init(BYTES, default 16 MiB), then evaluates each CODE in order
//       in the same context. What the script prints goes to stdout, then the
//       completion value String(v) on its own line. On an exception the text
//       of sandbox_get_error() goes to stderr and the exit status is 1.
//   Options: --trace-imports  log every import call to stderr (debugging).
//
// Imports are implemented from each import's name and its type, read from
// the module's own type and import sections (node 20 has no type reflection):
//   env.invoke_<sig>(index, args...)  <sig> = result letter then params, from
//       v i j f d. Saves the stack pointer (stackSave), calls
//       __indirect_function_table[index]; if a C longjmp unwinds through it:
//       stackRestore(sp), setThrew(1, 0), return 0. Any other exception passes
//       through. A `j` (i64) param is two i32 (low, high) in the import when
//       the import's type says so (emcc 3.1.6 legalizes i64: WASM_BIGINT off)
//       and one BigInt for the table function; a `j` result is returned as its
//       low i32 with the high i32 stored with setTempRet0.
//   env._emscripten_throw_longjmp()   throws the LONGJMP sentinel object.
//   env.setTempRet0 / env.getTempRet0 one i32 of host state.
//   env.emscripten_memcpy_big(dest, src, n)  memmove inside linear memory.
//   env.emscripten_resize_heap(requested)    exactly emcc 3.1.6's policy
//       (see resizeHeap below): 1 on success, 0 on failure, max 2 GiB.
//   env.gettimeofday, env.clock_gettime      as emcc 3.1.6's library (32-bit
//       tv_sec; CLOCK_REALTIME = Date.now, CLOCK_MONOTONIC(_RAW) = hrtime).
//   env.exit(status), wasi proc_exit(code)   end the run with that status.
//   env.abort, env.__assert_fail              see "Exit conventions".
//   wasi_snapshot_preview1: fd_write (fd 1 -> stdout, 2 -> stderr), fd_read
//       (fd 0 <- stdin), fd_close, fd_seek (ESPIPE on 0..2), fd_fdstat_get,
//       proc_exit, clock_time_get, random_get, args_sizes_get, args_get,
//       environ_sizes_get, environ_get (empty environment). Any other fd:
//       EBADF.
//   Any import not listed here: the run fails before instantiation with a
//   message listing all missing imports (exit status 2).
//
// Exit conventions (our Rust engine-run must produce the same stdout + status):
//   main returns N / exit(N) / proc_exit(N)  -> status N & 255, nothing on stderr
//   abort()            -> stderr "Aborted()", status 134
//   assert() failure   -> stderr "Aborted(Assertion failed: COND, at: FILE,LINE,FUNC)"
//                         (emcc's own message format), status 134
//   longjmp that no invoke_* on the stack catches
//                      -> stderr "uncaught longjmp", status 134
//   any other trap (unreachable, out-of-bounds, stack exhaustion, ...)
//                      -> stderr "trap: <V8's message>", status 134
//   sandbox mode: JS exception -> stderr = sandbox_get_error() text, status 1;
//                 sandbox_init failed -> stderr message, status 1
//   bad usage / cannot load / missing imports -> status 2
//   (134 = 128 + SIGABRT, what a native process that aborts reports and what
//   wasmtime uses for traps.) stdout is written exactly as the program passed
//   it to fd_write (no line buffering; emcc's own .js glue line-buffers and
//   drops an unterminated last line); stdout is flushed before anything is
//   written to stderr, so the two interleave in program order. Under emcc's
//   glue the abnormal ends above exit with node's status 7 instead of 134.
'use strict';

const fs = require('fs');
const crypto = require('crypto');

const EXIT_TRAP = 134;
const THIS_PROGRAM = './this.program';
const DEFAULT_HEAP = 16 * 1024 * 1024;
const HEAP_MAX = 2147483648; // emcc 3.1.6 _emscripten_get_heap_max()

// WASI errno values
const ESUCCESS = 0, EBADF = 8, EINVAL = 28, ESPIPE = 70;

// ---------------------------------------------------------------------------
// ordered, synchronous output

let outChunks = [];
let outBytes = 0;

function writeAll(fd, buf) {
    let off = 0;
    while (off < buf.length) {
        try {
            off += fs.writeSync(fd, buf, off, buf.length - off);
        } catch (e) {
            if (e.code === 'EAGAIN') continue; // non-blocking pipe is full: retry
            if (e.code === 'EPIPE') return;
            throw e;
        }
    }
}

function flushStdout() {
    if (outBytes === 0) return;
    const buf = Buffer.concat(outChunks, outBytes);
    outChunks = [];
    outBytes = 0;
    writeAll(1, buf);
}

function writeStdout(bytes) {
    outChunks.push(Buffer.from(bytes)); // copy: the wasm memory may change
    outBytes += bytes.length;
    if (outBytes >= 1 << 16) flushStdout();
}

function writeStderr(bytes) {
    flushStdout();
    writeAll(2, Buffer.from(bytes));
}

function errLine(text) {
    writeStderr(Buffer.from(text.endsWith('\n') ? text : text + '\n', 'utf8'));
}

// ---------------------------------------------------------------------------
// control flow objects thrown through wasm frames

class ExitStatus {
    constructor(status) { this.status = status; }
}
class Abort {
    constructor(message) { this.message = message; }
}
// the one object _emscripten_throw_longjmp throws; invoke_* catch only this
const LONGJMP = Object.freeze({ longjmp: true });

function finish(status) {
    flushStdout();
    process.exit(status & 255);
}

function fail(status, message) {
    if (message) errLine(message);
    finish(status);
}

// ---------------------------------------------------------------------------
// just enough of a wasm binary reader for the type and import sections

const VALTYPE = { 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64', 0x7b: 'v128', 0x70: 'funcref', 0x6f: 'externref' };

function readImports(bytes) {
    let pos = 8;
    const u8 = () => bytes[pos++];
    const leb = () => {
        let result = 0, shift = 0, b;
        do {
            b = bytes[pos++];
            result += (b & 0x7f) * 2 ** shift;
            shift += 7;
        } while (b & 0x80);
        return result;
    };
    const name = () => {
        const n = leb();
        const s = Buffer.from(bytes.subarray(pos, pos + n)).toString('utf8');
        pos += n;
        return s;
    };
    const limits = () => {
        const flags = u8();
        const min = leb();
        const max = flags & 1 ? leb() : undefined;
        return { min, max, shared: !!(flags & 2) };
    };
    if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d)
        throw new Error('not a wasm binary');
    const types = [];
    const imports = [];
    while (pos < bytes.length) {
        const id = u8();
        const size = leb();
        const end = pos + size;
        if (id === 1) {
            for (let n = leb(); n > 0; n--) {
                if (u8() !== 0x60) throw new Error('unsupported type form');
                const params = [], results = [];
                for (let k = leb(); k > 0; k--) params.push(VALTYPE[u8()]);
                for (let k = leb(); k > 0; k--) results.push(VALTYPE[u8()]);
                types.push({ params, results });
            }
        } else if (id === 2) {
            for (let n = leb(); n > 0; n--) {
                const module = name(), field = name(), kind = u8();
                const imp = { module, name: field };
                if (kind === 0) { imp.kind = 'function'; imp.type = types[leb()]; }
                else if (kind === 1) { imp.kind = 'table'; imp.elem = VALTYPE[u8()]; imp.limits = limits(); }
                else if (kind === 2) { imp.kind = 'memory'; imp.limits = limits(); }
                else if (kind === 3) { imp.kind = 'global'; imp.valtype = VALTYPE[u8()]; imp.mutable = !!u8(); }
                else if (kind === 4) { imp.kind = 'tag'; u8(); imp.type = types[leb()]; }
                else throw new Error('unknown import kind ' + kind);
                imports.push(imp);
            }
            return imports; // the import section comes after the type section
        }
        pos = end;
    }
    return imports;
}

// ---------------------------------------------------------------------------
// the host

function main(argv) {
    let traceImports = false;
    argv = argv.filter(a => (a === '--trace-imports' ? ((traceImports = true), false) : true));
    if (argv.length < 1) {
        fail(2, 'usage: node host.js PROG.wasm [ARGS...]\n' +
                '       node host.js SANDBOX.wasm [--heap BYTES] (--eval CODE | --file PATH)...');
    }
    const wasmPath = argv[0];
    const progArgs = argv.slice(1);
    let bytes;
    try {
        bytes = fs.readFileSync(wasmPath);
    } catch (e) {
        fail(2, `host.js: cannot read ${wasmPath}: ${e.message}`);
    }
    let module, imports;
    try {
        module = new WebAssembly.Module(bytes);
        imports = readImports(bytes);
    } catch (e) {
        fail(2, `host.js: ${wasmPath}: ${e.message}`);
    }

    // ---- state shared by the import implementations
    let instance = null;
    let memory = null;
    let ex = null; // instance.exports
    let tempRet0 = 0;
    let mainArgs = [THIS_PROGRAM];
    const environ = []; // deterministic: empty environment

    let heapBuf = null, HEAPU8 = null, HEAP32 = null, HEAPU32 = null, DV = null;
    function views() {
        if (memory.buffer !== heapBuf) {
            heapBuf = memory.buffer;
            HEAPU8 = new Uint8Array(heapBuf);
            HEAP32 = new Int32Array(heapBuf);
            HEAPU32 = new Uint32Array(heapBuf);
            DV = new DataView(heapBuf);
        }
    }
    function cBytes(ptr) { // a copy of the NUL-terminated bytes at ptr
        views();
        let end = ptr;
        while (HEAPU8[end] !== 0) end++;
        return Buffer.from(HEAPU8.subarray(ptr, end));
    }
    const cString = ptr => cBytes(ptr).toString('utf8');
    const u32 = x => x >>> 0;

    // logical i64 argument decoding: a `j` argument arrives either as one
    // BigInt (i64 in the import type) or as two i32 halves (legalized)
    function decodeArgs(letters, paramTypes, raw, first) {
        const out = [];
        let k = first;
        for (const c of letters) {
            if (c === 'j') {
                if (paramTypes[k] === 'i64') {
                    out.push(BigInt.asIntN(64, raw[k]));
                    k += 1;
                } else {
                    out.push(BigInt.asIntN(64, (BigInt(raw[k + 1] | 0) << 32n) | BigInt(u32(raw[k]))));
                    k += 2;
                }
            } else {
                out.push(raw[k]);
                k += 1;
            }
        }
        if (k !== paramTypes.length)
            throw new Error(`import type (${paramTypes}) does not match signature '${letters}'`);
        return out;
    }

    function makeInvoke(sig, type) {
        const ret = sig[0];
        const params = sig.slice(1);
        if (!/^[vijfd][ijfd]*$/.test(sig)) return null;
        const legalResult = ret === 'j' && type.results[0] !== 'i64';
        const zero = type.results[0] === 'i64' ? 0n : 0;
        return function (...raw) {
            const args = decodeArgs(params, type.params, raw, 1);
            const sp = ex.stackSave();
            try {
                const fn = ex.__indirect_function_table.get(raw[0]);
                if (!fn) throw new WebAssembly.RuntimeError(`invoke_${sig}: null table entry ${raw[0]}`);
                const r = fn(...args);
                if (ret === 'v') return undefined;
                if (legalResult) {
                    tempRet0 = Number(BigInt.asIntN(32, r >> 32n));
                    return Number(BigInt.asIntN(32, r));
                }
                return r;
            } catch (e) {
                if (e !== LONGJMP) throw e;
                ex.stackRestore(sp);
                ex.setThrew(1, 0);
                return ret === 'v' ? undefined : zero;
            }
        };
    }

    // emcc 3.1.6 src/library.js emscripten_resize_heap, same arithmetic
    function resizeHeap(requestedSize) {
        const oldSize = memory.buffer.byteLength;
        requestedSize = requestedSize >>> 0;
        if (requestedSize > HEAP_MAX) return 0;
        const alignUp = (x, multiple) => x + (multiple - x % multiple) % multiple;
        for (let cutDown = 1; cutDown <= 4; cutDown *= 2) {
            let overGrownHeapSize = oldSize * (1 + 0.2 / cutDown);
            overGrownHeapSize = Math.min(overGrownHeapSize, requestedSize + 100663296);
            const newSize = Math.min(HEAP_MAX, alignUp(Math.max(requestedSize, overGrownHeapSize), 65536));
            try {
                memory.grow((newSize - memory.buffer.byteLength + 65535) >>> 16);
                return 1;
            } catch (e) {
                // RangeError: cannot grow that much; try a smaller over-allocation
            }
        }
        return 0;
    }

    function monotonicMs() {
        const t = process.hrtime();
        return t[0] * 1e3 + t[1] / 1e6;
    }

    function setErrno(v) {
        if (ex.__errno_location) {
            views();
            HEAP32[ex.__errno_location() >> 2] = v;
        }
    }

    function iovecs(iov, iovcnt) {
        views();
        const list = [];
        for (let i = 0; i < iovcnt; i++) {
            list.push([HEAPU32[(iov >> 2) + i * 2], HEAPU32[(iov >> 2) + i * 2 + 1]]);
        }
        return list;
    }

    function stringsSizes(strs, countPtr, sizePtr) {
        views();
        HEAPU32[countPtr >> 2] = strs.length;
        HEAPU32[sizePtr >> 2] = strs.reduce((n, s) => n + Buffer.byteLength(s) + 1, 0);
        return ESUCCESS;
    }
    function stringsGet(strs, ptrs, buf) {
        views();
        for (const s of strs) {
            HEAPU32[ptrs >> 2] = buf;
            ptrs += 4;
            const b = Buffer.from(s + '\0', 'utf8');
            HEAPU8.set(b, buf);
            buf += b.length;
        }
        return ESUCCESS;
    }

    // implementations by name; `type` is the import's function type
    const env = {
        abort: () => { throw new Abort('Aborted()'); },
        __assert_fail: (cond, file, line, func) => {
            throw new Abort('Aborted(Assertion failed: ' + cString(cond) + ', at: ' +
                [file ? cString(file) : 'unknown filename', line,
                 func ? cString(func) : 'unknown function'].join(',') + ')');
        },
        _emscripten_throw_longjmp: () => { throw LONGJMP; },
        setTempRet0: v => { tempRet0 = v | 0; },
        getTempRet0: () => tempRet0,
        emscripten_memcpy_big: (dest, src, num) => {
            views();
            HEAPU8.copyWithin(dest, src, src + num);
            return dest;
        },
        emscripten_resize_heap: requested => resizeHeap(requested),
        exit: status => { throw new ExitStatus(status); },
        gettimeofday: (ptr, tz) => {
            const now = Date.now();
            views();
            HEAP32[ptr >> 2] = (now / 1e3) | 0;
            HEAP32[(ptr + 4) >> 2] = ((now % 1e3) * 1e3) | 0;
            return 0;
        },
        clock_gettime: (clk, tp) => {
            let now;
            if (clk === 0) now = Date.now();
            else if (clk === 1 || clk === 4) now = monotonicMs();
            else { setErrno(EINVAL); return -1; }
            views();
            HEAP32[tp >> 2] = (now / 1e3) | 0;
            HEAP32[(tp + 4) >> 2] = ((now % 1e3) * 1e3 * 1e3) | 0;
            return 0;
        },
    };

    const wasi = {
        fd_write: (fd, iov, iovcnt, pnum) => {
            if (fd !== 1 && fd !== 2) return EBADF;
            let n = 0;
            for (const [ptr, len] of iovecs(iov, iovcnt)) {
                views();
                const chunk = HEAPU8.subarray(ptr, ptr + len);
                if (fd === 1) writeStdout(chunk); else writeStderr(chunk);
                n += len;
            }
            views();
            HEAPU32[pnum >> 2] = n;
            return ESUCCESS;
        },
        fd_read: (fd, iov, iovcnt, pnum) => {
            if (fd !== 0) return EBADF;
            flushStdout();
            let n = 0;
            for (const [ptr, len] of iovecs(iov, iovcnt)) {
                if (len === 0) continue;
                const tmp = Buffer.alloc(len);
                let got;
                try {
                    got = fs.readSync(0, tmp, 0, len, null);
                } catch (e) {
                    if (e.code === 'EOF') got = 0; else if (e.code === 'EAGAIN') got = 0; else throw e;
                }
                views();
                HEAPU8.set(tmp.subarray(0, got), ptr);
                n += got;
                if (got < len) break;
            }
            views();
            HEAPU32[pnum >> 2] = n;
            return ESUCCESS;
        },
        fd_close: fd => (fd >= 0 && fd <= 2 ? ESUCCESS : EBADF),
        fd_seek: fd => (fd >= 0 && fd <= 2 ? ESPIPE : EBADF), // args: fd, offset(j), whence, newoffset
        fd_fdstat_get: (fd, ptr) => {
            if (fd < 0 || fd > 2) return EBADF;
            views();
            HEAPU8.fill(0, ptr, ptr + 24);
            HEAPU8[ptr] = 2; // __WASI_FILETYPE_CHARACTER_DEVICE
            return ESUCCESS;
        },
        proc_exit: code => { throw new ExitStatus(code); },
        clock_time_get: (id, precision, timePtr) => {
            let ns;
            if (id === 0) ns = BigInt(Date.now()) * 1000000n;
            else if (id === 1) ns = process.hrtime.bigint();
            else return EINVAL;
            views();
            DV.setBigUint64(timePtr, ns, true);
            return ESUCCESS;
        },
        random_get: (buf, len) => {
            views();
            crypto.randomFillSync(HEAPU8, buf, len);
            return ESUCCESS;
        },
        args_sizes_get: (pc, ps) => stringsSizes(mainArgs, pc, ps),
        args_get: (ptrs, buf) => stringsGet(mainArgs, ptrs, buf),
        environ_sizes_get: (pc, ps) => stringsSizes(environ, pc, ps),
        environ_get: (ptrs, buf) => stringsGet(environ, ptrs, buf),
    };
    // logical signatures of the WASI functions that take an i64 (to undo
    // legalization generically from the import's actual type)
    const wasiSigs = { fd_seek: 'ijii', clock_time_get: 'iji' };

    // ---- resolve every import
    const importObject = {};
    const missing = [];
    for (const imp of imports) {
        let value;
        const key = `${imp.module}.${imp.name}`;
        if (imp.kind === 'function') {
            let fn;
            const m = /^invoke_(.+)$/.exec(imp.name);
            if (imp.module === 'env' && m) fn = makeInvoke(m[1], imp.type);
            else if (imp.module === 'env' && Object.hasOwn(env, imp.name)) fn = env[imp.name];
            else if (imp.module.startsWith('wasi_') && Object.hasOwn(wasi, imp.name)) {
                fn = wasi[imp.name];
                const sig = wasiSigs[imp.name];
                if (sig) {
                    const impl = fn, type = imp.type;
                    fn = (...raw) => impl(...decodeArgs(sig, type.params, raw, 0));
                }
            }
            if (fn && traceImports) {
                const impl = fn;
                fn = (...a) => {
                    errLine(`[import] ${key}(${a.join(', ')})`);
                    return impl(...a);
                };
            }
            value = fn;
        } else if (imp.kind === 'memory' && imp.module === 'env' && imp.name === 'memory') {
            value = memory = new WebAssembly.Memory({ initial: imp.limits.min, maximum: imp.limits.max });
        }
        if (value === undefined) {
            missing.push(`${key} (${imp.kind}${imp.type ? ' (' + imp.type.params.join(', ') + ') -> (' + imp.type.results.join(', ') + ')' : ''})`);
            continue;
        }
        (importObject[imp.module] ??= {})[imp.name] = value;
    }
    if (missing.length) {
        fail(2, `host.js: ${wasmPath}: ${missing.length} unsupported import(s):\n  ` + missing.join('\n  '));
    }

    // ---- run
    try {
        instance = new WebAssembly.Instance(module, importObject);
        ex = instance.exports;
        if (ex.memory) memory = ex.memory;
        if (!memory) fail(2, `host.js: ${wasmPath}: no memory export`);
        for (const need of ['stackSave', 'stackRestore', 'setThrew']) {
            if (!ex[need] && imports.some(i => i.name.startsWith('invoke_')))
                fail(2, `host.js: ${wasmPath}: imports invoke_* but does not export ${need}`);
        }
        if (ex.__wasm_call_ctors) ex.__wasm_call_ctors();

        if (ex.sandbox_eval) {
            runSandbox(progArgs);
        } else {
            runMain(progArgs);
        }
    } catch (e) {
        if (e instanceof ExitStatus) finish(e.status);
        if (e instanceof Abort) fail(EXIT_TRAP, e.message);
        if (e === LONGJMP) fail(EXIT_TRAP, 'uncaught longjmp');
        if (e instanceof WebAssembly.RuntimeError || e instanceof RangeError)
            fail(EXIT_TRAP, 'trap: ' + e.message);
        flushStdout();
        throw e; // a bug in this host
    }

    function runMain(args) {
        const entry = ex.__main_argc_argv || ex.main;
        if (!entry) fail(2, `host.js: ${wasmPath}: exports neither main nor __main_argc_argv`);
        mainArgs = [THIS_PROGRAM, ...args];
        let status;
        if (entry.length >= 2) {
            // argv strings and the argv array on the C stack, as emcc's glue does
            const argc = mainArgs.length;
            const strPtrs = mainArgs.map(s => {
                const b = Buffer.from(s + '\0', 'utf8');
                const p = ex.stackAlloc(b.length);
                views();
                HEAPU8.set(b, p);
                return p;
            });
            const argvPtr = ex.stackAlloc((argc + 1) * 4);
            views();
            strPtrs.forEach((p, i) => { HEAPU32[(argvPtr >> 2) + i] = p; });
            HEAPU32[(argvPtr >> 2) + argc] = 0;
            status = entry(argc, argvPtr);
        } else {
            status = entry();
        }
        finish(status === undefined ? 0 : status);
    }

    function runSandbox(args) {
        let heap = DEFAULT_HEAP;
        const jobs = [];
        for (let i = 0; i < args.length; i++) {
            const a = args[i];
            const val = () => {
                if (i + 1 >= args.length) fail(2, `host.js: ${a} needs a value`);
                return args[++i];
            };
            if (a === '--eval') jobs.push(Buffer.from(val(), 'utf8'));
            else if (a === '--file') jobs.push(fs.readFileSync(val()));
            else if (a === '--heap') {
                heap = Number(val());
                if (!Number.isInteger(heap) || heap <= 0 || heap > 0x7fffffff) fail(2, 'host.js: bad --heap');
            } else fail(2, `host.js: unknown option ${a} (sandbox modules take --heap, --eval, --file)`);
        }
        if (jobs.length === 0) fail(2, 'host.js: nothing to evaluate (use --eval CODE or --file PATH)');
        if (!ex.sandbox_init(heap)) fail(1, `sandbox_init(${heap}) failed`);
        for (const code of jobs) {
            const p = ex.malloc(code.length + 1);
            if (!p) fail(1, 'malloc for the script failed');
            views();
            HEAPU8.set(code, p);
            HEAPU8[p + code.length] = 0;
            const r = ex.sandbox_eval(p, code.length);
            ex.free(p);
            if (!r) {
                const msg = cBytes(ex.sandbox_get_error());
                writeStderr(msg.length && msg[msg.length - 1] === 10 ? msg : Buffer.concat([msg, Buffer.from('\n')]));
                finish(1);
            }
            writeStdout(Buffer.concat([cBytes(r), Buffer.from('\n')]));
        }
        finish(0);
    }
}

main(process.argv.slice(2));
