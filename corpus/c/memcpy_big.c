/* memcpy_big.c - memcpy of sizes around and far above emscripten's
 * "big copy" threshold (in 3.1.6 memcpy of >= 512 bytes calls the imported
 * emscripten_memcpy_big), up to 4 MiB, plus overlapping memmove and a big
 * memset. Expected exit status: 0. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t checksum(const uint8_t *p, size_t n)
{
    uint32_t h = 2166136261u;
    size_t i;
    for (i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

static void *(*volatile do_memcpy)(void *, const void *, size_t) = memcpy;

int main(void)
{
    static const size_t sizes[] = { 1, 15, 511, 512, 513, 4096, 65535, 65536, 65537, 1 << 20, (4 << 20) + 3 };
    size_t max = (4 << 20) + 64, i, k;
    uint8_t *src = malloc(max), *dst = malloc(max);
    int ok = 1;

    for (i = 0; i < max; i++)
        src[i] = (uint8_t)(i * 7 + (i >> 9));
    for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        size_t n = sizes[k], off = k % 5; /* unaligned source/destination too */
        memset(dst, 0xee, max);
        do_memcpy(dst + off, src + 3, n);
        int same = memcmp(dst + off, src + 3, n) == 0;
        int guard = (off == 0 || dst[off - 1] == 0xee) && dst[off + n] == 0xee;
        printf("memcpy %8zu bytes (dst+%zu): copy %s, guard %s, fnv %08x\n", n, off,
               same ? "ok" : "FAIL", guard ? "ok" : "FAIL", checksum(dst + off, n));
        if (!same || !guard)
            ok = 0;
    }

    /* overlapping moves in both directions, > 64 KiB */
    memcpy(dst, src, max);
    memmove(dst + 100000, dst, 300000);
    printf("memmove forward overlap: %s\n", memcmp(dst + 100000, src, 300000) == 0 ? "ok" : "FAIL");
    if (memcmp(dst + 100000, src, 300000) != 0)
        ok = 0;
    memcpy(dst, src, max);
    memmove(dst, dst + 70000, 500000);
    printf("memmove backward overlap: %s\n", memcmp(dst, src + 70000, 500000) == 0 ? "ok" : "FAIL");
    if (memcmp(dst, src + 70000, 500000) != 0)
        ok = 0;

    memset(dst, 0x5a, max);
    printf("memset 4 MiB: fnv %08x\n", checksum(dst, max));

    /* struct assignment of a big struct is also a memcpy */
    {
        static struct { uint8_t b[200000]; } a, b;
        for (i = 0; i < sizeof(a.b); i++)
            a.b[i] = (uint8_t)(i ^ (i >> 8));
        b = a;
        printf("struct copy 200000 bytes: %s\n", memcmp(&a, &b, sizeof(a)) == 0 ? "ok" : "FAIL");
    }

    free(src);
    free(dst);
    printf("memcpy_big: %s\n", ok ? "all ok" : "FAILED");
    return ok ? 0 : 1;
}
