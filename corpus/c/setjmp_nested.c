/* setjmp_nested.c - nested setjmp regions: an inner handler catches, re-throws
 * to an outer one, three handlers armed in one function, handlers re-armed.
 * Exercises emcc's invoke_* + saveSetjmp/testSetjmp machinery with two or
 * more active setjmp points on the call stack. Expected exit status: 0. */
#include <setjmp.h>
#include <stdio.h>

static jmp_buf outer, inner;
static volatile int trace[64];
static volatile int ntrace;
static int failures;

static void note(int v) { trace[ntrace++] = v; }

static void check(const char *what, int got, int want)
{
    printf("%s: %d %s\n", what, got, got == want ? "ok" : "FAIL");
    if (got != want)
        failures++;
}

__attribute__((noinline)) static void thrower(jmp_buf env, int val)
{
    note(100 + val);
    longjmp(env, val);
}

/* catches codes < 10 itself, re-throws everything else to `outer` */
__attribute__((noinline)) static int inner_region(int code)
{
    volatile int local = 5;
    int r = setjmp(inner);
    if (r == 0) {
        note(1);
        local = 6;
        thrower(inner, code);
        note(-1); /* not reached */
        return -1;
    }
    note(2);
    if (r >= 10) {
        note(3);
        longjmp(outer, r + 1); /* re-throw to the outer handler */
    }
    return r * 10 + local; /* local must be 6 (volatile keeps it) */
}

__attribute__((noinline)) static int outer_region(int code)
{
    int r = setjmp(outer);
    if (r == 0) {
        note(10);
        int v = inner_region(code);
        note(11);
        return v;
    }
    note(12);
    return -r;
}

int main(void)
{
    int r;

    check("inner catches 3", outer_region(3), 36);
    check("trace length", ntrace, 5);
    ntrace = 0;

    check("inner rethrows 20 to outer", outer_region(20), -21);
    check("trace length", ntrace, 6);
    check("trace[4]", trace[4], 3);
    ntrace = 0;

    /* a handler armed in main itself, caught after a 2-frame unwind */
    r = setjmp(outer);
    if (r == 0) {
        thrower(outer, -5);
    }
    check("negative longjmp value arrives as", r, -5);

    /* NOT tested: longjmp(env, 0). C says setjmp then returns 1, but emcc
       3.1.6's SjLj lowering treats __threwValue == 0 as "no longjmp" and
       continues in the wrong place (emscripten issue #21486, fixed in 2024) */

    /* three levels: a handler set up inside a handler */
    {
        jmp_buf a, b, c;
        volatile int path = 0;
        if (setjmp(a) == 0) {
            path = path * 10 + 1;
            if (setjmp(b) == 0) {
                path = path * 10 + 2;
                if (setjmp(c) == 0) {
                    path = path * 10 + 3;
                    thrower(b, 7); /* skip c's handler */
                } else {
                    path = path * 10 + 9; /* not reached */
                }
            } else {
                path = path * 10 + 4;
                thrower(a, 8);
            }
        } else {
            path = path * 10 + 5;
        }
        check("three level path", path, 12345);
    }

    printf("setjmp_nested: %s\n", failures ? "FAILED" : "all ok");
    return failures ? 1 : 0;
}
