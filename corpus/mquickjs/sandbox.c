/*
 * sandbox.c - this project's own wrapper around MicroQuickJS, compiled with
 * emcc into corpus/out/mquickjs.wasm and corpus/out/mquickjs-small.wasm.
 *
 * Copyright (c) the project authors.
 *
 * Permission is hereby granted, free of charge, to any person obtaining a copy
 * of this software and associated documentation files (the "Software"), to deal
 * in the Software without restriction, including without limitation the rights
 * to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
 * copies of the Software, and to permit persons to whom the Software is
 * furnished to do so, subject to the following conditions:
 *
 * The above copyright notice and this permission notice shall be included in
 * all copies or substantial portions of the Software.
 *
 * THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
 * IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
 * FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL
 * THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
 * LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
 * OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN
 * THE SOFTWARE.
 *
 * MicroQuickJS itself (mquickjs.c etc., MIT, Fabrice Bellard and Charlie
 * Gordon) is not part of this repository: corpus/build.sh takes it from the
 * crates.io package mquickjs-sys =0.2.0 (vendor/mquickjs/).
 *
 * Exported API (see corpus/README.md):
 *   int         sandbox_init(int heap_bytes);      1 ok, 0 failed
 *                 (heap_bytes < SANDBOX_MIN_HEAP or malloc failure)
 *   const char *sandbox_eval(const char *code, int len);
 *                 String(completion value) as NUL-terminated UTF-8 in a buffer
 *                 owned (and reused) by the wrapper, or NULL on an exception
 *   const char *sandbox_get_error(void);
 *                 String(e) of the pending exception plus "\n" + e.stack if any
 * plus malloc/free (exported by the link flags).
 *
 * JavaScript globals provided by the stdlib table (mqjs_stdlib.h, generated
 * from vendor/mquickjs/mqjs_stdlib.c) and implemented here:
 *   print(...), console.log(...): arguments separated by ' ' plus '\n' on
 *       stdout (strings raw, other values as MicroQuickJS's JS_PrintValueF
 *       shows them, as Bellard's mqjs REPL does), flushed after every call.
 *   gc(): runs the garbage collector.
 *   Date.now(), performance.now(): wall clock / monotonic clock in ms.
 *   load(file): always throws (there is no file system in the sandbox).
 *   setTimeout(f, ms) / clearTimeout(id): timers run on a virtual clock after
 *       the script of each sandbox_eval finished, in order of due time (ties in
 *       order of creation); no real waiting happens.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/time.h>

#include "cutils.h"
#include "mquickjs.h"

#define EMSCRIPTEN_KEEPALIVE __attribute__((used, visibility("default")))

/* JS_NewContext asserts mem_size >= 1024 and, below about 1.7 KB, writes
   past the buffer; below about 3 KB nothing useful can be evaluated */
#define SANDBOX_MIN_HEAP 4096

static JSContext *g_ctx;
static uint8_t *g_heap;

/* the result buffer returned by sandbox_eval, grown on demand */
static char *g_result;
static size_t g_result_size;

/* the error text returned by sandbox_get_error */
#define ERROR_BUF_SIZE 8192
static char g_error[ERROR_BUF_SIZE];

/* ------------------------------------------------------------------ */
/* callbacks required by the generated stdlib table */

static void js_log_func(void *opaque, const void *buf, size_t buf_len)
{
    fwrite(buf, 1, buf_len, stdout);
}

static JSValue js_print(JSContext *ctx, JSValue *this_val, int argc, JSValue *argv)
{
    int i;
    JSValue v;

    for (i = 0; i < argc; i++) {
        if (i != 0)
            fputc(' ', stdout);
        v = argv[i];
        if (JS_IsString(ctx, v)) {
            JSCStringBuf buf;
            const char *str;
            size_t len;
            str = JS_ToCStringLen(ctx, &len, v, &buf);
            if (str)
                fwrite(str, 1, len, stdout);
        } else {
            JS_PrintValueF(ctx, v, JS_DUMP_LONG);
        }
    }
    fputc('\n', stdout);
    fflush(stdout);
    return JS_UNDEFINED;
}

static JSValue js_gc(JSContext *ctx, JSValue *this_val, int argc, JSValue *argv)
{
    JS_GC(ctx);
    return JS_UNDEFINED;
}

static JSValue js_date_now(JSContext *ctx, JSValue *this_val, int argc, JSValue *argv)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return JS_NewInt64(ctx, (int64_t)tv.tv_sec * 1000 + (tv.tv_usec / 1000));
}

static JSValue js_performance_now(JSContext *ctx, JSValue *this_val, int argc, JSValue *argv)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return JS_NewInt64(ctx, (int64_t)ts.tv_sec * 1000 + (ts.tv_nsec / 1000000));
}

static JSValue js_load(JSContext *ctx, JSValue *this_val, int argc, JSValue *argv)
{
    return JS_ThrowInternalError(ctx, "load() is not available in the sandbox");
}

/* timers on a virtual clock */
typedef struct {
    BOOL allocated;
    JSGCRef func;
    int64_t due;  /* virtual ms */
    uint32_t seq; /* creation order, breaks ties */
} SandboxTimer;

#define MAX_TIMERS 16

static SandboxTimer g_timers[MAX_TIMERS];
static int64_t g_virtual_now;
static uint32_t g_timer_seq;

static JSValue js_setTimeout(JSContext *ctx, JSValue *this_val, int argc, JSValue *argv)
{
    SandboxTimer *th;
    int delay, i;
    JSValue *pfunc;

    if (!JS_IsFunction(ctx, argv[0]))
        return JS_ThrowTypeError(ctx, "not a function");
    if (JS_ToInt32(ctx, &delay, argv[1]))
        return JS_EXCEPTION;
    if (delay < 0)
        delay = 0;
    for (i = 0; i < MAX_TIMERS; i++) {
        th = &g_timers[i];
        if (!th->allocated) {
            pfunc = JS_AddGCRef(ctx, &th->func);
            *pfunc = argv[0];
            th->due = g_virtual_now + delay;
            th->seq = g_timer_seq++;
            th->allocated = TRUE;
            return JS_NewInt32(ctx, i);
        }
    }
    return JS_ThrowInternalError(ctx, "too many timers");
}

static JSValue js_clearTimeout(JSContext *ctx, JSValue *this_val, int argc, JSValue *argv)
{
    int timer_id;
    SandboxTimer *th;

    if (JS_ToInt32(ctx, &timer_id, argv[0]))
        return JS_EXCEPTION;
    if (timer_id >= 0 && timer_id < MAX_TIMERS) {
        th = &g_timers[timer_id];
        if (th->allocated) {
            JS_DeleteGCRef(ctx, &th->func);
            th->allocated = FALSE;
        }
    }
    return JS_UNDEFINED;
}

static void clear_all_timers(JSContext *ctx)
{
    int i;
    for (i = 0; i < MAX_TIMERS; i++) {
        if (g_timers[i].allocated) {
            if (ctx)
                JS_DeleteGCRef(ctx, &g_timers[i].func);
            g_timers[i].allocated = FALSE;
        }
    }
}

/* run the pending timers; returns 0 or -1 on an exception (left pending) */
static int run_timers(JSContext *ctx)
{
    for (;;) {
        SandboxTimer *th, *best = NULL;
        JSValue ret;
        int i;

        for (i = 0; i < MAX_TIMERS; i++) {
            th = &g_timers[i];
            if (!th->allocated)
                continue;
            if (!best || th->due < best->due ||
                (th->due == best->due && (int32_t)(th->seq - best->seq) < 0))
                best = th;
        }
        if (!best)
            return 0;
        if (best->due > g_virtual_now)
            g_virtual_now = best->due;
        if (JS_StackCheck(ctx, 2))
            return -1;
        JS_PushArg(ctx, best->func.val); /* function */
        JS_PushArg(ctx, JS_NULL);        /* this */
        JS_DeleteGCRef(ctx, &best->func);
        best->allocated = FALSE;
        ret = JS_Call(ctx, 0);
        if (JS_IsException(ret))
            return -1;
    }
}

#include "mqjs_stdlib.h"

/* ------------------------------------------------------------------ */
/* exported API */

static void sandbox_free(void)
{
    if (g_ctx) {
        clear_all_timers(g_ctx);
        JS_FreeContext(g_ctx);
        g_ctx = NULL;
    }
    free(g_heap);
    g_heap = NULL;
}

EMSCRIPTEN_KEEPALIVE
int sandbox_init(int heap_bytes)
{
    sandbox_free();
    g_error[0] = '\0';
    g_virtual_now = 0;
    g_timer_seq = 0;
    if (heap_bytes < SANDBOX_MIN_HEAP)
        return 0;
    g_heap = malloc((size_t)heap_bytes);
    if (!g_heap)
        return 0;
    g_ctx = JS_NewContext(g_heap, (size_t)heap_bytes, &js_stdlib);
    if (!g_ctx) {
        free(g_heap);
        g_heap = NULL;
        return 0;
    }
    JS_SetLogFunc(g_ctx, js_log_func);
    return 1;
}

static int set_result(const char *s, size_t len)
{
    if (len + 1 > g_result_size) {
        size_t n = g_result_size ? g_result_size : 256;
        char *p;
        while (n < len + 1)
            n *= 2;
        p = realloc(g_result, n);
        if (!p)
            return -1;
        g_result = p;
        g_result_size = n;
    }
    memcpy(g_result, s, len);
    g_result[len] = '\0';
    return 0;
}

static void capture_error(JSContext *ctx)
{
    JS_GetErrorStr(ctx, g_error, sizeof(g_error));
    if (g_error[0] == '\0') /* e.g. no memory left to convert it to a string */
        snprintf(g_error, sizeof(g_error), "exception (could not be converted to a string)");
}

EMSCRIPTEN_KEEPALIVE
const char *sandbox_eval(const char *code, int len)
{
    JSValue val;
    JSCStringBuf sbuf;
    const char *str;
    size_t slen;

    if (!g_ctx) {
        snprintf(g_error, sizeof(g_error), "sandbox_eval: sandbox_init was not called or failed");
        return NULL;
    }
    if (!code || len < 0)
        len = 0;
    g_error[0] = '\0';
    /* JS_EVAL_REPL: like `mqjs -e`, an assignment to an undeclared name
       defines a global variable (sloppy global script behaviour) */
    val = JS_Eval(g_ctx, code ? code : "", (size_t)len, "<eval>",
                  JS_EVAL_RETVAL | JS_EVAL_REPL);
    if (JS_IsException(val))
        goto exception;
    /* String(value); the bytes live in the JS heap, so copy them now */
    str = JS_ToCStringLen(g_ctx, &slen, val, &sbuf);
    if (!str)
        goto exception;
    if (set_result(str, slen)) {
        snprintf(g_error, sizeof(g_error), "sandbox_eval: out of memory for the result");
        return NULL;
    }
    if (run_timers(g_ctx))
        goto exception;
    fflush(stdout);
    return g_result;
 exception:
    capture_error(g_ctx);
    fflush(stdout);
    return NULL;
}

EMSCRIPTEN_KEEPALIVE
const char *sandbox_get_error(void)
{
    return g_error;
}
