/* setjmp_loop.c - setjmp called in a loop (the same jmp_buf re-armed
 * thousands of times), and several jmp_bufs live at once, jumped to in a
 * scrambled order. Takes an optional iteration count in argv[1] (so argc/argv
 * handling is exercised too). Expected exit status: 0. */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

#define NBUF 8

static jmp_buf bufs[NBUF];
static jmp_buf loop_env;

__attribute__((noinline)) static void jump_to(jmp_buf *b, int v) { longjmp(*b, v); }

__attribute__((noinline)) static void leaf(int i)
{
    if (i % 3 != 0)
        jump_to(&loop_env, i + 1);
}

/* arms bufs[level..NBUF-1] one inside the other, then jumps to `target` */
__attribute__((noinline)) static int arm(int level, int target, int *hits)
{
    int r = setjmp(bufs[level]);
    if (r != 0) {
        hits[level]++;
        return level * 100 + r;
    }
    if (level == NBUF - 1) {
        jump_to(&bufs[target], target + 1);
        return -1;
    }
    return arm(level + 1, target, hits);
}

int main(int argc, char **argv)
{
    int n = 3000, i, r, ok = 1;
    volatile int caught = 0, fell_through = 0;
    int hits[NBUF] = { 0 };
    static const int order[NBUF] = { 5, 0, 7, 2, 6, 1, 3, 4 };

    if (argc > 1)
        n = atoi(argv[1]);
    printf("argc = %d, iterations = %d\n", argc, n);
    for (i = 1; i < argc; i++)
        printf("argv[%d] = \"%s\"\n", i, argv[i]);

    for (i = 0; i < n; i++) {
        r = setjmp(loop_env);
        if (r == 0) {
            leaf(i);
            fell_through++;
        } else {
            if (r != i + 1)
                ok = 0;
            caught++;
        }
    }
    printf("loop: caught %d, fell through %d\n", caught, fell_through);
    if (caught + fell_through != n || fell_through != (n + 2) / 3)
        ok = 0;

    for (i = 0; i < NBUF * 4; i++) {
        int t = order[i % NBUF];
        r = arm(0, t, hits);
        if (r != t * 100 + t + 1) {
            printf("multi: target %d got %d (FAIL)\n", t, r);
            ok = 0;
        }
    }
    for (i = 0; i < NBUF; i++)
        printf("bufs[%d] caught %d jumps\n", i, hits[i]);
    for (i = 0; i < NBUF; i++)
        if (hits[i] != 4)
            ok = 0;

    printf("setjmp_loop: %s\n", ok ? "all ok" : "FAILED");
    return ok ? 0 : 1;
}
