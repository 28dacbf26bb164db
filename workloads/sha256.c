/*
 * sha256.c - SHA-256 workload.
 *
 * Exercises: 32-bit integer arithmetic (rotates, shifts, xor, add with
 * wrap-around), byte loads/stores, memcpy/memset, fread on stdin,
 * printf, stderr output and exit codes.
 *
 * Usage:
 *   sha256 -        hash all of stdin, print the hex digest
 *   sha256 [N]      N rounds (default 2000): start from SHA-256("refute"),
 *                   each round rewrites a 4 KiB buffer from the previous
 *                   digest, hashes a 192-byte window of it (moving offset)
 *                   followed by the digest, and prints the final digest.
 *
 * A self-check of SHA-256("abc") runs first; on mismatch it reports to
 * stderr and exits with status 1.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint32_t h[8];
    uint64_t len;          /* total bytes hashed */
    uint8_t buf[64];
    size_t nbuf;
} Sha256;

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
    0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static uint32_t rotr(uint32_t x, unsigned n) { return (x >> n) | (x << (32 - n)); }

static void sha256_block(uint32_t h[8], const uint8_t *p)
{
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
    uint32_t e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
        uint32_t ch = (e & f) ^ (~e & g);
        uint32_t t1 = hh + S1 + ch + K[i] + w[i];
        uint32_t S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
        uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
        uint32_t t2 = S0 + maj;
        hh = g; g = f; f = e; e = d + t1;
        d = c; c = b; b = a; a = t1 + t2;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d;
    h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

static void sha256_init(Sha256 *s)
{
    static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(s->h, iv, sizeof iv);
    s->len = 0;
    s->nbuf = 0;
}

static void sha256_update(Sha256 *s, const void *data, size_t n)
{
    const uint8_t *p = data;
    s->len += n;
    if (s->nbuf > 0) {
        size_t take = 64 - s->nbuf;
        if (take > n) take = n;
        memcpy(s->buf + s->nbuf, p, take);
        s->nbuf += take; p += take; n -= take;
        if (s->nbuf < 64) return;
        sha256_block(s->h, s->buf);
        s->nbuf = 0;
    }
    for (; n >= 64; p += 64, n -= 64)
        sha256_block(s->h, p);
    memcpy(s->buf, p, n);
    s->nbuf = n;
}

static void sha256_final(Sha256 *s, uint8_t out[32])
{
    uint64_t bits = s->len * 8;
    uint8_t pad[72];
    size_t padlen = (s->nbuf < 56) ? 56 - s->nbuf : 120 - s->nbuf;
    memset(pad, 0, sizeof pad);
    pad[0] = 0x80;
    for (int i = 0; i < 8; i++)
        pad[padlen + i] = (uint8_t)(bits >> (56 - 8 * i));
    sha256_update(s, pad, padlen + 8);
    for (int i = 0; i < 8; i++) {
        out[4 * i] = (uint8_t)(s->h[i] >> 24);
        out[4 * i + 1] = (uint8_t)(s->h[i] >> 16);
        out[4 * i + 2] = (uint8_t)(s->h[i] >> 8);
        out[4 * i + 3] = (uint8_t)s->h[i];
    }
}

static void sha256(const void *data, size_t n, uint8_t out[32])
{
    Sha256 s;
    sha256_init(&s);
    sha256_update(&s, data, n);
    sha256_final(&s, out);
}

static void to_hex(const uint8_t d[32], char out[65])
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        out[2 * i] = hex[d[i] >> 4];
        out[2 * i + 1] = hex[d[i] & 15];
    }
    out[64] = '\0';
}

static int self_check(void)
{
    uint8_t d[32];
    char hex[65];
    sha256("abc", 3, d);
    to_hex(d, hex);
    if (strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") != 0) {
        fprintf(stderr, "sha256: self-check failed: sha256(\"abc\") = %s\n", hex);
        return 0;
    }
    return 1;
}

static int hash_stdin(void)
{
    static uint8_t chunk[4096];
    Sha256 s;
    uint8_t d[32];
    char hex[65];
    size_t n;
    sha256_init(&s);
    while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0)
        sha256_update(&s, chunk, n);
    if (ferror(stdin)) {
        fprintf(stderr, "sha256: error reading stdin\n");
        return 1;
    }
    sha256_final(&s, d);
    to_hex(d, hex);
    printf("%s\n", hex);
    return 0;
}

#define BUF_WORDS 1024  /* 4 KiB */
#define WINDOW 192      /* bytes hashed from the buffer per round */

int main(int argc, char **argv)
{
    if (!self_check())
        return 1;
    if (argc > 1 && strcmp(argv[1], "-") == 0)
        return hash_stdin();

    long rounds = argc > 1 ? strtol(argv[1], NULL, 10) : 2000;
    if (rounds < 0) {
        fprintf(stderr, "sha256: bad round count\n");
        return 1;
    }
    uint32_t *buf = malloc(BUF_WORDS * sizeof *buf);
    if (!buf) {
        fprintf(stderr, "sha256: out of memory\n");
        return 1;
    }
    uint8_t d[32];
    char hex[65];
    sha256("refute", 6, d);
    uint32_t x = 0x9e3779b9u;
    for (int i = 0; i < BUF_WORDS; i++) {
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        buf[i] = x;
    }
    for (long r = 0; r < rounds; r++) {
        /* Rewrite the whole buffer, mixing in the previous digest. */
        uint32_t seed = (uint32_t)d[0] | (uint32_t)d[1] << 8 |
                        (uint32_t)d[2] << 16 | (uint32_t)d[3] << 24;
        for (int i = 0; i < BUF_WORDS; i++)
            buf[i] = rotr(buf[i], 5) ^ (seed + (uint32_t)i * 0x85ebca6bu) ^ d[i & 31];
        size_t off = ((size_t)r * 328) % (BUF_WORDS * 4 - WINDOW);
        Sha256 s;
        sha256_init(&s);
        sha256_update(&s, (const uint8_t *)buf + off, WINDOW);
        sha256_update(&s, d, sizeof d);
        sha256_final(&s, d);
    }
    to_hex(d, hex);
    printf("rounds: %ld\n", rounds);
    printf("digest: %s\n", hex);
    free(buf);
    return 0;
}
