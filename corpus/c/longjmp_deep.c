/* longjmp_deep.c - longjmp across many frames: a 1000-deep recursion (direct
 * and through function pointers) is unwound in one longjmp, repeatedly; the
 * stack pointer must be restored each time (stack-allocated buffers in the
 * frames would otherwise exhaust the stack). Expected exit status: 3. */
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

static jmp_buf env;
static int deepest;

typedef int (*step_fn)(int depth, int limit);
static int step_a(int depth, int limit);
static int step_b(int depth, int limit);
static step_fn volatile steps[2] = { step_a, step_b };

__attribute__((noinline)) static int step_a(int depth, int limit)
{
    char pad[256]; /* uses the shadow stack: 1000 frames = ~256 KiB */
    memset(pad, depth & 0xff, sizeof(pad));
    if (depth > deepest)
        deepest = depth;
    if (depth == limit)
        longjmp(env, depth);
    return steps[depth & 1](depth + 1, limit) + pad[depth % 256];
}

__attribute__((noinline)) static int step_b(int depth, int limit)
{
    volatile int x = depth;
    if (depth > deepest)
        deepest = depth;
    if (depth == limit)
        longjmp(env, depth);
    return steps[(depth >> 1) & 1](depth + 1, limit) + x;
}

int main(void)
{
    int round, r, ok = 1;
    volatile int total = 0;

    for (round = 1; round <= 200; round++) {
        int limit = 1000 + round;
        deepest = 0;
        r = setjmp(env);
        if (r == 0) {
            step_a(0, limit);
            printf("round %d: returned normally (FAIL)\n", round);
            ok = 0;
        } else {
            total += r;
            if (r != limit || deepest != limit) {
                printf("round %d: r=%d deepest=%d (FAIL)\n", round, r, deepest);
                ok = 0;
            }
        }
    }
    printf("200 rounds of ~1100-frame unwinds, sum of depths = %d (want 220100)\n", total);
    printf("longjmp_deep: %s\n", ok && total == 220100 ? "all ok" : "FAILED");
    return 3;
}
