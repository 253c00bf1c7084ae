/* printf_formats.c - musl printf of integers, floating point and strings
 * through fd_write; also snprintf truncation and a write to stderr. Ends
 * with exit(7). Expected exit status: 7. */
#include <float.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile double zero = 0.0;

int main(void)
{
    char buf[16];
    int n;

    printf("ints: %d %d %d %u %x %X %o %#x %#o\n", 0, -1, INT_MIN, UINT_MAX, 48879, 48879, 8, 255, 8);
    printf("width: [%5d] [%-5d] [%05d] [%+d] [% d] [%.3d]\n", 42, 42, 42, 42, 42, 7);
    printf("long: %ld %lu %lld %llu %" PRId64 " %" PRIx64 "\n", LONG_MIN, ULONG_MAX,
           LLONG_MIN, ULLONG_MAX, INT64_C(-9000000000), UINT64_C(0xfedcba9876543210));
    printf("short/char: %hd %hhu %c%c%c %%\n", (short)-32768, (unsigned char)255, 'a', 'b', 'c');
    printf("size_t: %zu ptrdiff: %td\n", sizeof(long long), (ptrdiff_t)-3);
    printf("fixed: %f %.2f %10.4f %-10.1f| %.0f %.0f\n", 3.14159265358979, 2.675, -1.5, 0.25, 0.5, 1.5);
    printf("exp: %e %.3E %g %g %g %G\n", 12345.678, 0.000123, 1e-5, 123456789.0, 100000.0, 1e-10);
    printf("round trip: %.17g %.17g %.9g\n", 0.1, 1.0 / 3.0, (double)0.1f);
    printf("limits: %g %g %g %g\n", DBL_MAX, DBL_MIN, DBL_TRUE_MIN, -0.0);
    /* NaN: only constants. The sign of a NaN computed by arithmetic (0/0)
       is not specified by wasm (V8 on x86 gives a negative one, printed
       "-nan"; clang -O2 even drops the fabs() in fabs(z / z), deeming z / z
       never negative), so an engine may legitimately differ there: only
       test isnan() of it */
    printf("special: %f %f %e %f %g isnan(0/0)=%d\n", 1.0 / zero, -1.0 / zero, -1.0 / zero,
           (double)NAN, -(double)NAN, isnan(zero / zero) ? 1 : 0);
    printf("hex float: %a %a %A\n", 1.0, 0.1, -2.5);
    printf("strings: [%s] [%10s] [%-10s] [%.3s] [%*s] [%-*.*s]\n", "hello", "right", "left", "truncate", 6, "star", 8, 2, "precision");
    printf("utf-8: [%s] len %zu\n", "h\xc3\xa9llo w\xc3\xb6rld \xe2\x82\xac \xf0\x9f\x98\x80", strlen("h\xc3\xa9llo w\xc3\xb6rld \xe2\x82\xac \xf0\x9f\x98\x80"));
    n = snprintf(buf, sizeof(buf), "%s-%d-%f", "abcdefgh", 123456, 1.0);
    printf("snprintf: returned %d, buf [%s]\n", n, buf);
    n = printf("count me\n");
    printf("printf returned %d\n", n);
    fprintf(stderr, "this line goes to stderr\n");
    fputs("fputs line\n", stdout);
    putchar('x');
    putchar('\n');
    printf("calling exit(7)\n");
    exit(7);
}
