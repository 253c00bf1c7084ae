/* expr_parse.c - benchmark kernel: a recursive-descent parser and evaluator
 * of integer expressions (+ - * / % unary minus, parentheses, variables
 * a..z assigned with `=`, `;`-separated statements) over generated programs.
 * Errors (syntax errors, division by zero, unknown variables, nesting too
 * deep) leave the parser by longjmp to a setjmp in eval_program, as real
 * parsers written in C do; about one program in six has one. argv[1] is the
 * number of programs (default 20000). Prints how many succeeded, the error
 * counts by kind and a checksum of the results. Re-entrant.
 * Expected exit status: 0. */
// bench-args: 5000
// expect: expr_parse(5000): 4110 ok, 192 syntax, 267 div0, 203 undef, 228 depth, checksum 3bcd1d23
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ERR_SYNTAX = 1, ERR_DIV0, ERR_UNDEF, ERR_DEPTH, NERR };

struct parser {
    const char *p;
    jmp_buf fail;
    int32_t vars[26];
    uint32_t defined;
    int depth;
};

__attribute__((noinline)) static void fail(struct parser *ps, int kind) { longjmp(ps->fail, kind); }

static void skip_ws(struct parser *ps)
{
    while (*ps->p == ' ')
        ps->p++;
}

static int32_t expr(struct parser *ps);

static int32_t primary(struct parser *ps)
{
    int32_t v;
    skip_ws(ps);
    char c = *ps->p;
    if (c == '(') {
        if (++ps->depth > 40)
            fail(ps, ERR_DEPTH);
        ps->p++;
        v = expr(ps);
        skip_ws(ps);
        if (*ps->p != ')')
            fail(ps, ERR_SYNTAX);
        ps->p++;
        ps->depth--;
        return v;
    }
    if (c == '-') {
        ps->p++;
        return (int32_t)(0u - (uint32_t)primary(ps));
    }
    if (c >= '0' && c <= '9') {
        uint32_t u = 0;
        while (*ps->p >= '0' && *ps->p <= '9')
            u = u * 10u + (uint32_t)(*ps->p++ - '0');
        return (int32_t)u;
    }
    if (c >= 'a' && c <= 'z') {
        ps->p++;
        if (!(ps->defined >> (c - 'a') & 1))
            fail(ps, ERR_UNDEF);
        return ps->vars[c - 'a'];
    }
    fail(ps, ERR_SYNTAX);
    return 0;
}

static int32_t term(struct parser *ps)
{
    int32_t v = primary(ps);
    for (;;) {
        skip_ws(ps);
        char op = *ps->p;
        if (op != '*' && op != '/' && op != '%')
            return v;
        ps->p++;
        int32_t r = primary(ps);
        if (op == '*')
            v = (int32_t)((uint32_t)v * (uint32_t)r);
        else if (r == 0)
            fail(ps, ERR_DIV0);
        else if (r == -1)
            v = op == '/' ? (int32_t)(0u - (uint32_t)v) : 0;
        else
            v = op == '/' ? v / r : v % r;
    }
}

static int32_t expr(struct parser *ps)
{
    int32_t v = term(ps);
    for (;;) {
        skip_ws(ps);
        char op = *ps->p;
        if (op != '+' && op != '-')
            return v;
        ps->p++;
        int32_t r = term(ps);
        v = (int32_t)(op == '+' ? (uint32_t)v + (uint32_t)r : (uint32_t)v - (uint32_t)r);
    }
}

/* statement := [var '='] expr */
static int32_t statement(struct parser *ps)
{
    skip_ws(ps);
    const char *s = ps->p;
    if (s[0] >= 'a' && s[0] <= 'z') {
        const char *q = s + 1;
        while (*q == ' ')
            q++;
        if (*q == '=') {
            ps->p = q + 1;
            int32_t v = expr(ps);
            ps->vars[s[0] - 'a'] = v;
            ps->defined |= 1u << (s[0] - 'a');
            return v;
        }
    }
    return expr(ps);
}

static void expect_end(struct parser *ps)
{
    skip_ws(ps);
    if (*ps->p != ';' && *ps->p != '\0')
        fail(ps, ERR_SYNTAX);
}

/* 0 and the value of the last statement in *out, or the error kind */
static int eval_program(const char *src, int32_t *out)
{
    struct parser ps;
    int32_t v = 0;
    int kind;
    ps.p = src;
    ps.defined = 0;
    ps.depth = 0;
    if ((kind = setjmp(ps.fail)) != 0)
        return kind;
    for (;;) {
        v = statement(&ps);
        expect_end(&ps);
        if (*ps.p == '\0')
            break;
        ps.p++;
    }
    *out = v;
    return 0;
}

/* program generator: an LCG, with one mistake in about one program in six */
struct gen {
    uint32_t seed;
    char *buf;
    size_t len, cap;
};

static uint32_t rnd(struct gen *g, uint32_t n)
{
    g->seed = g->seed * 1103515245u + 12345u;
    return (g->seed >> 16) % n;
}

static void put(struct gen *g, const char *s)
{
    size_t n = strlen(s);
    if (g->len + n + 1 > g->cap) {
        g->cap = (g->len + n + 1) * 2;
        g->buf = realloc(g->buf, g->cap);
    }
    memcpy(g->buf + g->len, s, n + 1);
    g->len += n;
}

static void gen_expr(struct gen *g, int depth, uint32_t defined)
{
    char tmp[16];
    uint32_t k = rnd(g, depth > 3 ? 3 : 6);
    if (k < 2 || (k == 2 && defined == 0)) {
        sprintf(tmp, "%u", rnd(g, 1000));
        put(g, tmp);
    } else if (k == 2) {
        int v = (int)rnd(g, 26);
        if (!(defined >> v & 1))
            v = 0; /* `a` is always defined first */
        tmp[0] = (char)('a' + v), tmp[1] = 0;
        put(g, tmp);
    } else if (k == 3) {
        put(g, "(");
        gen_expr(g, depth + 1, defined);
        put(g, ")");
    } else {
        static const char *const ops[] = {" + ", " - ", " * ", " / ", " % ", "+", "*"};
        gen_expr(g, depth + 1, defined);
        put(g, ops[rnd(g, 7)]);
        gen_expr(g, depth + 1, defined);
    }
}

static const char *gen_program(struct gen *g)
{
    uint32_t defined = 0, nstmt = 2 + rnd(g, 4), i;
    g->len = 0;
    put(g, "a = ");
    gen_expr(g, 0, defined);
    defined = 1;
    for (i = 1; i < nstmt; i++) {
        int v = (int)rnd(g, 26);
        put(g, "; ");
        if (rnd(g, 2)) {
            char tmp[8];
            sprintf(tmp, "%c = ", 'a' + v);
            put(g, tmp);
            gen_expr(g, 0, defined);
            defined |= 1u << v;
        } else {
            gen_expr(g, 0, defined);
        }
    }
    switch (rnd(g, 24)) { /* the mistakes */
    case 0: put(g, " + )"); break;
    case 1: put(g, "; q"); break;
    case 2: put(g, " / (a - a)"); break;
    case 3: {
        int d;
        put(g, "; ");
        for (d = 0; d < 45; d++)
            put(g, "(");
        put(g, "1");
        for (d = 0; d < 45; d++)
            put(g, ")");
        break;
    }
    default: break;
    }
    return g->buf;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 20000, i;
    struct gen g = {7, NULL, 0, 0};
    long ok = 0, errors[NERR] = {0};
    uint32_t sum = 0;
    for (i = 0; i < n; i++) {
        int32_t v;
        const char *src = gen_program(&g);
        int kind = eval_program(src, &v);
        if (kind == 0) {
            ok++;
            sum = sum * 31u + (uint32_t)v;
        } else {
            errors[kind]++;
            sum = sum * 31u + (uint32_t)kind;
        }
    }
    printf("expr_parse(%ld): %ld ok, %ld syntax, %ld div0, %ld undef, %ld depth, checksum %08x\n", n, ok,
           errors[ERR_SYNTAX], errors[ERR_DIV0], errors[ERR_UNDEF], errors[ERR_DEPTH], sum);
    free(g.buf);
    return 0;
}
