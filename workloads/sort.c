/*
 * sort.c - sorting workload.
 *
 * Exercises: malloc/realloc/free (many small blocks), qsort with
 * indirect calls to comparison functions, strcmp, snprintf/strlen/memcpy,
 * bsearch, 32-bit integer code, and getenv (REFUTE_WORKLOAD_TAG).
 *
 * Usage: sort [N]   (default 25000)
 *   Sorts N pseudo-random 32-bit ints (fixed-seed xorshift PRNG) and
 *   N/10 (at least 5) heap-allocated strings, verifies both are sorted,
 *   and prints an FNV-1a checksum plus the first/last few values.
 *   The default is sized for wasi-libc's qsort (musl smoothsort), which
 *   costs about 4,400 wasm instructions per element here: N=25000 runs
 *   about 110 million.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t rng_state = 2463534242u;

static uint32_t xorshift32(void)
{
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

static int cmp_int(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static uint32_t fnv1a(uint32_t h, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        h ^= (v >> (8 * i)) & 0xff;
        h *= 16777619u;
    }
    return h;
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n);
    if (!p) {
        fprintf(stderr, "sort: out of memory\n");
        exit(1);
    }
    return p;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 25000;
    if (n < 1 || n > 50000000) {
        fprintf(stderr, "sort: N must be between 1 and 50000000\n");
        return 1;
    }
    const char *tag = getenv("REFUTE_WORKLOAD_TAG");
    if (tag)
        printf("tag: %s\n", tag);

    /* --- integers --- */
    int32_t *a = xmalloc((size_t)n * sizeof *a);
    for (long i = 0; i < n; i++)
        a[i] = (int32_t)xorshift32();
    qsort(a, (size_t)n, sizeof *a, cmp_int);

    uint32_t h = 2166136261u;
    long distinct = 0;
    for (long i = 0; i < n; i++) {
        if (i > 0 && a[i - 1] > a[i]) {
            fprintf(stderr, "sort: ints not sorted at %ld\n", i);
            return 1;
        }
        if (i == 0 || a[i - 1] != a[i])
            distinct++;
        h = fnv1a(h, (uint32_t)a[i]);
    }
    /* Every element must be found again by bsearch. */
    long found = 0;
    for (long i = 0; i < n; i += 7)
        found += bsearch(&a[i], a, (size_t)n, sizeof *a, cmp_int) != NULL;

    printf("ints: n=%ld distinct=%ld found=%ld fnv=%08x\n", n, distinct, found, (unsigned)h);
    long k = n < 3 ? n : 3;
    printf("ints first:");
    for (long i = 0; i < k; i++)
        printf(" %ld", (long)a[i]);
    printf("\nints last:");
    for (long i = n - k; i < n; i++)
        printf(" %ld", (long)a[i]);
    printf("\n");

    /* --- strings --- */
    long m = n / 10 < 5 ? 5 : n / 10;
    char **s = xmalloc((size_t)m * sizeof *s);
    size_t total_len = 0;
    for (long i = 0; i < m; i++) {
        char tmp[48];
        uint32_t r = xorshift32();
        int len = snprintf(tmp, sizeof tmp, "%c%c-%08x-%lu", 'a' + (int)(r % 26),
                           'a' + (int)((r >> 8) % 26), (unsigned)(r >> 4),
                           (unsigned long)(i % 1000));
        s[i] = xmalloc((size_t)len + 1);
        memcpy(s[i], tmp, (size_t)len + 1);
        total_len += (size_t)len;
    }
    qsort(s, (size_t)m, sizeof *s, cmp_str);

    uint32_t hs = 2166136261u;
    for (long i = 0; i < m; i++) {
        if (i > 0 && strcmp(s[i - 1], s[i]) > 0) {
            fprintf(stderr, "sort: strings not sorted at %ld\n", i);
            return 1;
        }
        for (const char *p = s[i]; *p; p++) {
            hs ^= (unsigned char)*p;
            hs *= 16777619u;
        }
    }
    printf("strings: m=%ld total_len=%lu fnv=%08x\n", m, (unsigned long)total_len, (unsigned)hs);
    printf("strings first: %s %s\n", s[0], s[1]);
    printf("strings last: %s %s\n", s[m - 2], s[m - 1]);

    for (long i = 0; i < m; i++)
        free(s[i]);
    free(s);
    free(a);
    return 0;
}
