/* invoke_sigs.c - calls through function pointers, inside functions that also
 * call setjmp, with i64 / f32 / f64 parameters and results. emcc routes each
 * such call through an imported `invoke_<sig>` (e.g. invoke_jii, invoke_ddfj,
 * invoke_fif, invoke_jji, invoke_vj), legalizing i64 to two i32 halves in the
 * import and returning the high half of an i64 result through setTempRet0.
 * Some callees longjmp out, so the invoke must return a zero of its result
 * type and the caller's setjmp must see the value. Expected exit status: 0. */
#include <inttypes.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>

static jmp_buf env;
static int failures;
static volatile int64_t sunk;

static int64_t mul_ii(int a, int b) { return (int64_t)a * (int64_t)b; }           /* jii  */
static double mix_dfj(double d, float f, int64_t j) { return d * f + (double)j; } /* ddfj */
static float scale_if(int i, float f) { return (float)i * f; }                     /* fif  */
static int64_t add_ji(int64_t a, int b) { return a + b; }                         /* jji  */
static void sink_j(int64_t v) { sunk = v; }                                       /* vj   */
static double half_d(double d) { return d / 2; }                                  /* dd   */
static float neg_f(float f) { return -f; }                                        /* ff   */
static int64_t swap_jj(int64_t v) { return (int64_t)(((uint64_t)v << 32) | ((uint64_t)v >> 32)); } /* jj */
static int low_j(int64_t v) { return (int)(v & 0x7fffffff); }                     /* ij   */
static double sum_didjf(int a, double b, int64_t c, float d) { return a + b + (double)c + d; } /* didjf */
static int64_t boom_ji(int64_t v, int code) { if (code) longjmp(env, code); return v; } /* jji */
static double boom_dd(double d) { longjmp(env, 42); return d; }                    /* dd  */
static float boom_ff(float f) { longjmp(env, 43); return f; }                      /* ff  */

/* volatile pointers so the calls stay indirect */
static int64_t (*volatile p_mul_ii)(int, int) = mul_ii;
static double (*volatile p_mix_dfj)(double, float, int64_t) = mix_dfj;
static float (*volatile p_scale_if)(int, float) = scale_if;
static int64_t (*volatile p_add_ji)(int64_t, int) = add_ji;
static void (*volatile p_sink_j)(int64_t) = sink_j;
static double (*volatile p_half_d)(double) = half_d;
static float (*volatile p_neg_f)(float) = neg_f;
static int64_t (*volatile p_swap_jj)(int64_t) = swap_jj;
static int (*volatile p_low_j)(int64_t) = low_j;
static double (*volatile p_sum_didjf)(int, double, int64_t, float) = sum_didjf;
static int64_t (*volatile p_boom_ji)(int64_t, int) = boom_ji;
static double (*volatile p_boom_dd)(double) = boom_dd;
static float (*volatile p_boom_ff)(float) = boom_ff;

static void check_i64(const char *what, int64_t got, int64_t want)
{
    printf("%-28s %" PRId64 " (0x%016" PRIx64 ") %s\n", what, got, (uint64_t)got,
           got == want ? "ok" : "FAIL");
    if (got != want)
        failures++;
}

static void check_f64(const char *what, double got, double want)
{
    printf("%-28s %.17g %s\n", what, got, got == want ? "ok" : "FAIL");
    if (got != want)
        failures++;
}

__attribute__((noinline)) static void normal_calls(void)
{
    volatile int r = setjmp(env); /* makes every call below go through invoke_* */
    if (r != 0) {
        printf("unexpected longjmp %d (FAIL)\n", r);
        failures++;
        return;
    }
    check_i64("jii  mul(123456789, -1000)", p_mul_ii(123456789, -1000), -123456789000LL);
    check_i64("jii  mul(65536, 65536)", p_mul_ii(65536, 65536), 4294967296LL);
    check_f64("ddfj mix(1.5, 2.5f, 2^40)", p_mix_dfj(1.5, 2.5f, 1LL << 40), 1099511627779.75);
    check_f64("ddfj mix(-0.1, 3f, -7)", p_mix_dfj(-0.1, 3.0f, -7), -0.1 * 3.0f - 7.0);
    check_f64("fif  scale(3, 0.1f)", p_scale_if(3, 0.1f), (double)(3.0f * 0.1f));
    check_i64("jji  add(INT64_MAX-5, 5)", p_add_ji(INT64_MAX - 5, 5), INT64_MAX);
    check_i64("jji  add(-1, -1)", p_add_ji(-1, -1), -2);
    check_i64("jji  add(0xffffffff, 1)", p_add_ji(0xffffffffLL, 1), 0x100000000LL);
    p_sink_j(INT64_MIN);
    check_i64("vj   sink(INT64_MIN)", sunk, INT64_MIN);
    p_sink_j(0x123456789abcdef0LL);
    check_i64("vj   sink(0x123456789abcdef0)", sunk, 0x123456789abcdef0LL);
    check_f64("dd   half(1e308)", p_half_d(1e308), 5e307);
    check_f64("ff   neg(1.25f)", p_neg_f(1.25f), -1.25);
    check_i64("jj   swap(0x0000000100000002)", p_swap_jj(0x0000000100000002LL), 0x0000000200000001LL);
    check_i64("ij   low(0xdeadbeef12345678)", p_low_j((int64_t)0xdeadbeef12345678ULL), 0x12345678);
    check_f64("didjf sum(1, 0.5, 2^33, 0.25f)", p_sum_didjf(1, 0.5, 1LL << 33, 0.25f), 8589934593.75);
}

__attribute__((noinline)) static void longjmp_calls(void)
{
    volatile int stage = 0;
    volatile int64_t got_j = -1;
    volatile double got_d = -1;
    volatile float got_f = -1;
    int r = setjmp(env);

    switch (stage) {
    case 0:
        stage = 1;
        got_j = p_boom_ji(77, 0); /* returns normally */
        check_i64("jji  boom(77, 0) returns", got_j, 77);
        got_j = p_boom_ji(0x7777777788888888LL, 41); /* longjmps */
        printf("not reached (FAIL)\n");
        failures++;
        break;
    case 1:
        check_i64("jji  boom longjmp value", r, 41);
        check_i64("jji  result left unchanged", got_j, 77);
        stage = 2;
        got_d = p_boom_dd(3.5);
        printf("not reached (FAIL)\n");
        failures++;
        break;
    case 2:
        check_i64("dd   boom longjmp value", r, 42);
        stage = 3;
        got_f = p_boom_ff(2.5f);
        printf("not reached (FAIL)\n");
        failures++;
        break;
    case 3:
        check_i64("ff   boom longjmp value", r, 43);
        check_f64("d/f results left unchanged", got_d + got_f, -2);
        break;
    }
}

int main(void)
{
    normal_calls();
    longjmp_calls();
    printf("invoke_sigs: %s\n", failures ? "FAILED" : "all ok");
    return failures ? 1 : 0;
}
