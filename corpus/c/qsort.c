/* qsort.c - benchmark kernel: libc qsort() of N pseudo-random ints (an LCG)
 * with a comparator called through a function pointer, then a check that the
 * array is sorted and a position-weighted checksum. argv[1] is N (default
 * 100000). Re-entrant. Expected exit status: 0. */
// bench-args: 50000
// expect: qsort(50000): sorted, min -2147453086, max 2147362914, checksum 74fdb661
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 100000, i;
    int *a = malloc((n > 0 ? n : 1) * sizeof *a);
    uint32_t seed = 12345, sum = 0;
    if (!a) {
        printf("out of memory\n");
        return 1;
    }
    for (i = 0; i < n; i++) {
        seed = seed * 1664525u + 1013904223u;
        a[i] = (int)(seed ^ (seed >> 16));
    }
    qsort(a, n, sizeof *a, cmp_int);
    for (i = 1; i < n; i++) {
        if (a[i - 1] > a[i]) {
            printf("qsort(%ld): NOT SORTED at %ld\n", n, i);
            free(a);
            return 1;
        }
    }
    for (i = 0; i < n; i++)
        sum = sum * 31u + (uint32_t)a[i];
    printf("qsort(%ld): sorted, min %d, max %d, checksum %08x\n", n, n ? a[0] : 0, n ? a[n - 1] : 0, sum);
    free(a);
    return 0;
}
