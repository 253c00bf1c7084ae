/* assert_fail.c - a failing assert(). Imports env.__assert_fail(cond, file,
 * line, func). Under corpus/node/host.js: stdout has the lines printed before,
 * stderr "Aborted(Assertion failed: ..., at: FILE,LINE,FUNC)", exit status
 * 134. (Built without NDEBUG, so the assert is live at -O2.) */
#undef NDEBUG
#include <assert.h>
#include <stdio.h>

static volatile int answer = 41;

__attribute__((noinline)) static void check_answer(int v)
{
    assert(v > 0);              /* passes */
    printf("first assert passed\n");
    assert(v == 42 && "the answer");  /* fails */
    printf("not reached\n");
}

int main(void)
{
    printf("assert_fail: start\n");
    check_answer(answer);
    return 0;
}
