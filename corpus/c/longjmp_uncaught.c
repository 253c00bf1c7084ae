/* longjmp_uncaught.c - a longjmp that no setjmp on the current call stack
 * can catch: the jmp_buf was armed by a function that has already returned
 * (undefined behaviour in C; with emcc 3.1.6 it deterministically unwinds
 * out of main to the host, because no invoke_* is on the stack). main itself
 * never calls setjmp, so it has no invoke wrappers. Under
 * corpus/node/host.js: stdout has the lines printed before, stderr
 * "uncaught longjmp", exit status 134. */
#include <setjmp.h>
#include <stdio.h>

static jmp_buf stale;

__attribute__((noinline)) static int arm(void)
{
    if (setjmp(stale) != 0) {
        printf("arm: resumed (unexpected)\n");
        return 2;
    }
    return 0;
}

__attribute__((noinline)) static void fire(void)
{
    printf("fire: longjmp to a returned frame\n");
    longjmp(stale, 5);
}

int main(void)
{
    printf("longjmp_uncaught: arm returned %d\n", arm());
    fire();
    printf("not reached\n");
    return 0;
}
