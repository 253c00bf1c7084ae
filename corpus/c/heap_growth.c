/* heap_growth.c - grows the heap from the default 16 MiB to ~100 MiB in
 * steps (1 MiB blocks, then 8 MiB blocks, then realloc of a big block),
 * which needs emscripten_resize_heap to actually grow memory. Data written
 * before each growth must survive it. Expected exit status: 0. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIB (1024 * 1024)

static uint32_t fill(uint8_t *p, size_t n, uint32_t seed)
{
    uint32_t x = seed, sum = 0;
    size_t i;
    for (i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        p[i] = (uint8_t)(x >> 16);
        sum = sum * 31 + p[i];
    }
    return sum;
}

static uint32_t checksum(const uint8_t *p, size_t n)
{
    uint32_t sum = 0;
    size_t i;
    for (i = 0; i < n; i++)
        sum = sum * 31 + p[i];
    return sum;
}

int main(void)
{
    enum { NSMALL = 40, NBIG = 4 };
    uint8_t *small[NSMALL], *big[NBIG], *r;
    uint32_t want_small[NSMALL], want_big[NBIG], want_r;
    size_t initial_pages = __builtin_wasm_memory_size(0);
    int i, ok = 1;

    for (i = 0; i < NSMALL; i++) {
        small[i] = malloc(MIB);
        if (!small[i]) {
            printf("malloc 1 MiB #%d failed (FAIL)\n", i);
            return 1;
        }
        want_small[i] = fill(small[i], MIB, i + 1);
    }
    printf("allocated %d x 1 MiB\n", NSMALL);
    for (i = 0; i < NBIG; i++) {
        big[i] = malloc(8 * MIB);
        if (!big[i]) {
            printf("malloc 8 MiB #%d failed (FAIL)\n", i);
            return 1;
        }
        want_big[i] = fill(big[i], 8 * MIB, 1000 + i);
    }
    printf("allocated %d x 8 MiB\n", NBIG);

    r = malloc(4 * MIB);
    want_r = fill(r, 4 * MIB, 77);
    r = realloc(r, 24 * MIB); /* grows, in place or by moving */
    if (!r) {
        printf("realloc to 24 MiB failed (FAIL)\n");
        return 1;
    }
    printf("realloc 4 MiB -> 24 MiB kept data: %s\n", checksum(r, 4 * MIB) == want_r ? "ok" : "FAIL");
    if (checksum(r, 4 * MIB) != want_r)
        ok = 0;
    memset(r + 4 * MIB, 0xab, 20 * MIB);
    printf("tail byte after memset: 0x%02x\n", r[24 * MIB - 1]);

    for (i = 0; i < NSMALL; i++)
        if (checksum(small[i], MIB) != want_small[i]) {
            printf("1 MiB block %d corrupted (FAIL)\n", i);
            ok = 0;
        }
    for (i = 0; i < NBIG; i++)
        if (checksum(big[i], 8 * MIB) != want_big[i]) {
            printf("8 MiB block %d corrupted (FAIL)\n", i);
            ok = 0;
        }
    printf("checksums of block 0, %d, big 3: %08x %08x %08x\n", NSMALL - 1,
           want_small[0], want_small[NSMALL - 1], want_big[3]);

    /* memory must have grown past the initial 16 MiB; exact page counts
       depend on the host's over-allocation policy, so only compare */
    printf("memory grew: %s\n", __builtin_wasm_memory_size(0) * 65536 >= (size_t)96 * MIB &&
           __builtin_wasm_memory_size(0) > initial_pages ? "yes" : "no (FAIL)");

    for (i = 0; i < NSMALL; i++)
        free(small[i]);
    for (i = 0; i < NBIG; i++)
        free(big[i]);
    free(r);
    /* freed space is reused: this must not need to grow again */
    {
        size_t before = __builtin_wasm_memory_size(0);
        uint8_t *again = malloc(30 * MIB);
        printf("malloc 30 MiB after free: %s, grew again: %s\n", again ? "ok" : "FAIL",
               __builtin_wasm_memory_size(0) == before ? "no" : "yes");
        free(again);
    }
    printf("heap_growth: %s\n", ok ? "all ok" : "FAILED");
    return ok ? 0 : 1;
}
