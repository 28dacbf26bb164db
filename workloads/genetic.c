/*
 * genetic.c - genetic algorithm workload (traveling salesman).
 *
 * Exercises: small integer arrays, data-dependent branches, memcpy/memset,
 * struct copies, a fixed-seed 64-bit PRNG (64-bit multiply/shift), and
 * sqrt/lround while building the distance table.
 *
 * Usage: genetic [GENERATIONS]   (default 300)
 *   Evolves a population of 100 tours over 24 cities placed by the PRNG,
 *   using tournament selection, order crossover, swap and reversal
 *   mutations and elitism. Prints the best tour length every 50
 *   generations and at the end, together with the best tour.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NCITIES 24
#define POP 100
#define ELITE 2
#define TOURNAMENT 3

typedef struct {
    uint8_t city[NCITIES];
    int length;
} Tour;

static int dist[NCITIES][NCITIES];
static Tour pop_a[POP], pop_b[POP];
static uint64_t rng = 0x853c49e6748fea9bULL;

/* splitmix64-style generator */
static uint32_t rnd(void)
{
    uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return (uint32_t)((z ^ (z >> 31)) >> 32);
}

static int rnd_below(int n) { return (int)(rnd() % (uint32_t)n); }

static void make_cities(void)
{
    int x[NCITIES], y[NCITIES];
    for (int i = 0; i < NCITIES; i++) {
        x[i] = rnd_below(1000);
        y[i] = rnd_below(1000);
    }
    for (int i = 0; i < NCITIES; i++)
        for (int j = 0; j <= i; j++) {
            double dx = x[i] - x[j], dy = y[i] - y[j];
            dist[i][j] = dist[j][i] = (int)lround(sqrt(dx * dx + dy * dy));
        }
}

static int tour_length(const Tour *t)
{
    int len = dist[t->city[NCITIES - 1]][t->city[0]];
    for (int i = 1; i < NCITIES; i++)
        len += dist[t->city[i - 1]][t->city[i]];
    return len;
}

static void random_tour(Tour *t)
{
    for (int i = 0; i < NCITIES; i++)
        t->city[i] = (uint8_t)i;
    for (int i = NCITIES - 1; i > 0; i--) { /* Fisher-Yates */
        int j = rnd_below(i + 1);
        uint8_t tmp = t->city[i];
        t->city[i] = t->city[j];
        t->city[j] = tmp;
    }
    t->length = tour_length(t);
}

static const Tour *tournament(const Tour *pop)
{
    const Tour *best = &pop[rnd_below(POP)];
    for (int i = 1; i < TOURNAMENT; i++) {
        const Tour *c = &pop[rnd_below(POP)];
        if (c->length < best->length)
            best = c;
    }
    return best;
}

/* Order crossover (OX1): copy a slice of p1, fill the rest in p2's order. */
static void crossover(const Tour *p1, const Tour *p2, Tour *child)
{
    uint8_t used[NCITIES];
    memset(used, 0, sizeof used);
    int a = rnd_below(NCITIES), b = rnd_below(NCITIES);
    if (a > b) {
        int t = a; a = b; b = t;
    }
    for (int i = a; i <= b; i++) {
        child->city[i] = p1->city[i];
        used[p1->city[i]] = 1;
    }
    int pos = (b + 1) % NCITIES;
    for (int k = 0; k < NCITIES; k++) {
        uint8_t c = p2->city[(b + 1 + k) % NCITIES];
        if (!used[c]) {
            child->city[pos] = c;
            pos = (pos + 1) % NCITIES;
        }
    }
}

static void mutate(Tour *t)
{
    int r = rnd_below(100);
    if (r < 20) { /* swap two cities */
        int i = rnd_below(NCITIES), j = rnd_below(NCITIES);
        uint8_t tmp = t->city[i];
        t->city[i] = t->city[j];
        t->city[j] = tmp;
    } else if (r < 50) { /* reverse a segment (2-opt move) */
        int i = rnd_below(NCITIES), j = rnd_below(NCITIES);
        if (i > j) {
            int tmp = i; i = j; j = tmp;
        }
        for (; i < j; i++, j--) {
            uint8_t tmp = t->city[i];
            t->city[i] = t->city[j];
            t->city[j] = tmp;
        }
    }
}

/* Indices of the ELITE shortest tours (partial selection). */
static void find_elite(const Tour *pop, int elite[ELITE])
{
    for (int e = 0; e < ELITE; e++) {
        int best = -1;
        for (int i = 0; i < POP; i++) {
            int taken = 0;
            for (int k = 0; k < e; k++)
                taken |= elite[k] == i;
            if (!taken && (best < 0 || pop[i].length < pop[best].length))
                best = i;
        }
        elite[e] = best;
    }
}

/* FNV-1a over all tour lengths (fixed-width, same on 32- and 64-bit). */
static uint32_t checksum(const Tour *pop)
{
    uint32_t h = 2166136261u;
    for (int i = 0; i < POP; i++) {
        h ^= (uint32_t)pop[i].length;
        h *= 16777619u;
    }
    return h;
}

int main(int argc, char **argv)
{
    long gens = argc > 1 ? strtol(argv[1], NULL, 10) : 300;
    if (gens < 0) {
        fprintf(stderr, "genetic: bad generation count\n");
        return 1;
    }
    make_cities();
    Tour *cur = pop_a, *next = pop_b;
    for (int i = 0; i < POP; i++)
        random_tour(&cur[i]);

    int elite[ELITE];
    for (long g = 0; g < gens; g++) {
        find_elite(cur, elite);
        if (g % 50 == 0)
            printf("gen %4ld: best=%d\n", g, cur[elite[0]].length);
        for (int e = 0; e < ELITE; e++)
            next[e] = cur[elite[e]];
        for (int i = ELITE; i < POP; i++) {
            const Tour *p1 = tournament(cur), *p2 = tournament(cur);
            crossover(p1, p2, &next[i]);
            mutate(&next[i]);
            next[i].length = tour_length(&next[i]);
        }
        Tour *tmp = cur; cur = next; next = tmp;
    }

    find_elite(cur, elite);
    const Tour *best = &cur[elite[0]];
    /* Sanity check: the best tour must be a permutation. */
    int seen[NCITIES] = {0};
    for (int i = 0; i < NCITIES; i++)
        seen[best->city[i]]++;
    for (int i = 0; i < NCITIES; i++)
        if (seen[i] != 1) {
            fprintf(stderr, "genetic: invalid tour\n");
            return 1;
        }
    printf("final gen %ld: best=%d checksum=%08x\n", gens, best->length, (unsigned)checksum(cur));
    printf("tour:");
    for (int i = 0; i < NCITIES; i++)
        printf(" %d", best->city[i]);
    printf("\n");
    return 0;
}
