/* abort.c - prints two lines, then calls abort(). Imports env.abort.
 * Under corpus/node/host.js: stdout has the two lines, stderr "Aborted()",
 * exit status 134. */
#include <stdio.h>
#include <stdlib.h>

static volatile int depth;

__attribute__((noinline)) static void give_up(int n)
{
    if (n > 0) {
        depth++;
        give_up(n - 1);
        return;
    }
    printf("about to abort at depth %d\n", depth);
    abort();
}

int main(void)
{
    printf("abort: start\n");
    give_up(10);
    printf("not reached\n");
    return 0;
}
