/* lz.c - benchmark kernel: an LZ77 compressor in the style of LZ4 (hash table
 * of 4-byte sequences, greedy matching, token = literal length and match
 * length nibbles with 255-extension bytes, 16-bit offsets) and its
 * decompressor, over generated text (words drawn from a small vocabulary by an
 * LCG, so it is compressible but not trivially). Checks the round trip and
 * prints the sizes and an FNV-1a hash of the compressed stream. argv[1] is
 * the input size in KiB (default 512). Re-entrant. Expected exit status: 0. */
// bench-args: 256
// expect: lz(262144 bytes): 136647 compressed (52.12%), fnv1a ab58d152, round trip ok
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HASH_BITS 14
#define MIN_MATCH 4
#define MAX_OFFSET 65535

static const char *const words[] = {
    "the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "wasm", "closure",
    "engine", "register", "slot", "block", "branch", "table", "memory", "stack", "frame", "call",
    "interpreter", "compile", "lower", "emit", "value", "trap", "host", "import", "export", "module",
    "a", "of", "to", "in", "is", "and", "for", "with", "on", "at",
};
#define NWORDS (sizeof words / sizeof words[0])

static size_t gen_text(uint8_t *out, size_t n)
{
    uint32_t seed = 2024;
    size_t len = 0;
    while (len < n) {
        seed = seed * 1103515245u + 12345u;
        const char *w = words[(seed >> 16) % NWORDS];
        size_t wl = strlen(w);
        if ((seed >> 8) % 13 == 0) {
            /* a number now and then: less compressible */
            char num[16];
            wl = (size_t)sprintf(num, "%u", (seed >> 4) % 100000);
            w = num;
            if (len + wl > n)
                wl = n - len;
            memcpy(out + len, w, wl);
        } else {
            if (len + wl > n)
                wl = n - len;
            memcpy(out + len, w, wl);
        }
        len += wl;
        if (len < n)
            out[len++] = (seed >> 20) % 17 == 0 ? '\n' : ' ';
    }
    return len;
}

static uint32_t read32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static uint32_t hash4(uint32_t v) { return (v * 2654435761u) >> (32 - HASH_BITS); }

static uint8_t *put_len(uint8_t *op, size_t len)
{
    while (len >= 255) {
        *op++ = 255;
        len -= 255;
    }
    *op++ = (uint8_t)len;
    return op;
}

/* returns the compressed size; `out` must hold n + n / 255 + 16 bytes */
static size_t compress(const uint8_t *in, size_t n, uint8_t *out, int32_t *table)
{
    const uint8_t *ip = in, *anchor = in, *end = in + n;
    const uint8_t *match_limit = n >= 12 ? end - 12 : in;
    uint8_t *op = out;
    size_t i;
    for (i = 0; i < (1u << HASH_BITS); i++)
        table[i] = -1;
    while (ip < match_limit) {
        uint32_t seq = read32(ip), h = hash4(seq);
        int32_t cand = table[h];
        table[h] = (int32_t)(ip - in);
        if (cand < 0 || (ip - in) - cand > MAX_OFFSET || read32(in + cand) != seq) {
            ip++;
            continue;
        }
        const uint8_t *ref = in + cand;
        size_t mlen = MIN_MATCH;
        while (ip + mlen < end - 5 && ip[mlen] == ref[mlen])
            mlen++;
        size_t lit = (size_t)(ip - anchor), ml = mlen - MIN_MATCH;
        uint8_t *token = op++;
        *token = (uint8_t)((lit >= 15 ? 15 : lit) << 4 | (ml >= 15 ? 15 : ml));
        if (lit >= 15)
            op = put_len(op, lit - 15);
        memcpy(op, anchor, lit);
        op += lit;
        uint16_t off = (uint16_t)(ip - ref);
        *op++ = (uint8_t)off;
        *op++ = (uint8_t)(off >> 8);
        if (ml >= 15)
            op = put_len(op, ml - 15);
        ip += mlen;
        anchor = ip;
    }
    /* the last literals */
    size_t lit = (size_t)(end - anchor);
    *op++ = (uint8_t)((lit >= 15 ? 15 : lit) << 4);
    if (lit >= 15)
        op = put_len(op, lit - 15);
    memcpy(op, anchor, lit);
    op += lit;
    return (size_t)(op - out);
}

/* returns the decompressed size, or (size_t)-1 on a malformed stream */
static size_t decompress(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
    const uint8_t *ip = in, *end = in + n;
    uint8_t *op = out, *oend = out + cap;
    while (ip < end) {
        unsigned token = *ip++;
        size_t lit = token >> 4, ml = token & 15;
        if (lit == 15) {
            unsigned b;
            do {
                if (ip >= end)
                    return (size_t)-1;
                b = *ip++;
                lit += b;
            } while (b == 255);
        }
        if ((size_t)(end - ip) < lit || (size_t)(oend - op) < lit)
            return (size_t)-1;
        memcpy(op, ip, lit);
        op += lit, ip += lit;
        if (ip >= end)
            break; /* the last sequence has no match */
        if (end - ip < 2)
            return (size_t)-1;
        size_t off = ip[0] | (size_t)ip[1] << 8;
        ip += 2;
        if (ml == 15) {
            unsigned b;
            do {
                if (ip >= end)
                    return (size_t)-1;
                b = *ip++;
                ml += b;
            } while (b == 255);
        }
        ml += MIN_MATCH;
        if (off == 0 || off > (size_t)(op - out) || (size_t)(oend - op) < ml)
            return (size_t)-1;
        const uint8_t *ref = op - off;
        while (ml--) /* byte by byte: matches may overlap their own output */
            *op++ = *ref++;
    }
    return (size_t)(op - out);
}

static uint32_t fnv1a(const uint8_t *p, size_t n)
{
    uint32_t h = 2166136261u;
    size_t i;
    for (i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

int main(int argc, char **argv)
{
    long kib = argc > 1 ? atol(argv[1]) : 512;
    size_t n = kib > 0 ? (size_t)kib * 1024 : 0;
    uint8_t *text = malloc(n + 1), *packed = malloc(n + n / 255 + 16), *back = malloc(n + 1);
    int32_t *table = malloc(sizeof(int32_t) << HASH_BITS);
    int status = 0;
    if (!text || !packed || !back || !table) {
        printf("out of memory\n");
        return 1;
    }
    gen_text(text, n);
    size_t csize = compress(text, n, packed, table);
    size_t dsize = decompress(packed, csize, back, n);
    if (dsize != n || memcmp(text, back, n) != 0) {
        printf("lz(%lu bytes): ROUND TRIP FAILED (%lu bytes back)\n", (unsigned long)n, (unsigned long)dsize);
        status = 1;
    } else {
        printf("lz(%lu bytes): %lu compressed (%lu.%02lu%%), fnv1a %08x, round trip ok\n", (unsigned long)n,
               (unsigned long)csize, (unsigned long)(csize * 100 / (n ? n : 1)),
               (unsigned long)(csize * 10000 / (n ? n : 1) % 100), fnv1a(packed, csize));
    }
    free(table);
    free(back);
    free(packed);
    free(text);
    return status;
}
