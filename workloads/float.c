/*
 * float.c - floating-point workload.
 *
 * Exercises: f64 and f32 arithmetic, sqrt, conversions between float,
 * double and integers, libm (sin, cos, exp, log, pow, sqrt, fmod, atan2,
 * floor, and the float variants sqrtf, sinf, expf), and printf with
 * %.9f, %.17g, %e and %a.
 *
 * Usage: float [STEPS]   (default 100000)
 *   Runs the classic 5-body (Sun + gas giants) simulation for STEPS
 *   steps and prints the energy before and after, then a single-precision
 *   Mandelbrot pass and a table of libm results.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define PI 3.141592653589793
#define SOLAR_MASS (4 * PI * PI)
#define DAYS_PER_YEAR 365.24
#define NBODIES 5

typedef struct {
    double x, y, z, vx, vy, vz, mass;
} Body;

static Body bodies[NBODIES] = {
    {0, 0, 0, 0, 0, 0, SOLAR_MASS}, /* Sun */
    {4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01,
     1.66007664274403694e-03 * DAYS_PER_YEAR, 7.69901118419740425e-03 * DAYS_PER_YEAR,
     -6.90460016972063023e-05 * DAYS_PER_YEAR, 9.54791938424326609e-04 * SOLAR_MASS},
    {8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01,
     -2.76742510726862411e-03 * DAYS_PER_YEAR, 4.99852801234917238e-03 * DAYS_PER_YEAR,
     2.30417297573763929e-05 * DAYS_PER_YEAR, 2.85885980666130812e-04 * SOLAR_MASS},
    {1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01,
     2.96460137564761618e-03 * DAYS_PER_YEAR, 2.37847173959480950e-03 * DAYS_PER_YEAR,
     -2.96589568540237556e-05 * DAYS_PER_YEAR, 4.36624404335156298e-05 * SOLAR_MASS},
    {1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01,
     2.68067772490389322e-03 * DAYS_PER_YEAR, 1.62824170038242295e-03 * DAYS_PER_YEAR,
     -9.51592254519715870e-05 * DAYS_PER_YEAR, 5.15138902046611451e-05 * SOLAR_MASS},
};

static void offset_momentum(void)
{
    double px = 0, py = 0, pz = 0;
    for (int i = 0; i < NBODIES; i++) {
        px += bodies[i].vx * bodies[i].mass;
        py += bodies[i].vy * bodies[i].mass;
        pz += bodies[i].vz * bodies[i].mass;
    }
    bodies[0].vx = -px / SOLAR_MASS;
    bodies[0].vy = -py / SOLAR_MASS;
    bodies[0].vz = -pz / SOLAR_MASS;
}

static double energy(void)
{
    double e = 0;
    for (int i = 0; i < NBODIES; i++) {
        Body *b = &bodies[i];
        e += 0.5 * b->mass * (b->vx * b->vx + b->vy * b->vy + b->vz * b->vz);
        for (int j = i + 1; j < NBODIES; j++) {
            Body *c = &bodies[j];
            double dx = b->x - c->x, dy = b->y - c->y, dz = b->z - c->z;
            e -= b->mass * c->mass / sqrt(dx * dx + dy * dy + dz * dz);
        }
    }
    return e;
}

static void advance(double dt)
{
    for (int i = 0; i < NBODIES; i++) {
        Body *b = &bodies[i];
        for (int j = i + 1; j < NBODIES; j++) {
            Body *c = &bodies[j];
            double dx = b->x - c->x, dy = b->y - c->y, dz = b->z - c->z;
            double d2 = dx * dx + dy * dy + dz * dz;
            double mag = dt / (d2 * sqrt(d2));
            b->vx -= dx * c->mass * mag;
            b->vy -= dy * c->mass * mag;
            b->vz -= dz * c->mass * mag;
            c->vx += dx * b->mass * mag;
            c->vy += dy * b->mass * mag;
            c->vz += dz * b->mass * mag;
        }
    }
    for (int i = 0; i < NBODIES; i++) {
        bodies[i].x += dt * bodies[i].vx;
        bodies[i].y += dt * bodies[i].vy;
        bodies[i].z += dt * bodies[i].vz;
    }
}

/* Single-precision Mandelbrot: total iteration count over a small grid. */
static long mandel_f32(int w, int h, int maxit)
{
    long total = 0;
    for (int py = 0; py < h; py++) {
        float ci = -1.2f + 2.4f * (float)py / (float)h;
        for (int px = 0; px < w; px++) {
            float cr = -2.1f + 3.0f * (float)px / (float)w;
            float zr = 0.0f, zi = 0.0f;
            int it = 0;
            while (it < maxit && zr * zr + zi * zi <= 4.0f) {
                float t = zr * zr - zi * zi + cr;
                zi = 2.0f * zr * zi + ci;
                zr = t;
                it++;
            }
            total += it;
        }
    }
    return total;
}

/* Single-precision accumulation with Kahan compensation vs. naive. */
static void float_sums(int n, float *naive, float *kahan)
{
    float s = 0.0f, k = 0.0f, c = 0.0f;
    for (int i = 1; i <= n; i++) {
        float x = 1.0f / (float)i;
        s += x;
        float y = x - c;
        float t = k + y;
        c = (t - k) - y;
        k = t;
    }
    *naive = s;
    *kahan = k;
}

int main(int argc, char **argv)
{
    long steps = argc > 1 ? strtol(argv[1], NULL, 10) : 100000;
    if (steps < 0) {
        fprintf(stderr, "float: bad step count\n");
        return 1;
    }

    offset_momentum();
    printf("nbody steps=%ld\n", steps);
    printf("energy before: %.9f\n", energy());
    for (long i = 0; i < steps; i++)
        advance(0.01);
    printf("energy after:  %.9f\n", energy());
    printf("jupiter: %.6f %.6f %.6f\n", bodies[1].x, bodies[1].y, bodies[1].z);

    int grid = steps >= 1000 ? 64 : 8;
    printf("mandel f32 %dx%d: %ld\n", grid, grid / 2, mandel_f32(grid, grid / 2, 100));

    float naive, kahan;
    float_sums(steps >= 1000 ? 200000 : 100, &naive, &kahan);
    printf("harmonic f32: naive=%.9g kahan=%.9g diff=%e\n", (double)naive, (double)kahan,
           (double)(kahan - naive));
    float fx = 2.5f;
    printf("f32: sqrtf=%.9g sinf=%.9g expf=%.9g (int)=%d\n", (double)sqrtf(fx),
           (double)sinf(fx), (double)expf(fx), (int)(fx * 3.7f));

    static const double xs[] = {0.5, 1.0, 2.718281828459045, -3.25, 100.0};
    for (int i = 0; i < 5; i++) {
        double x = xs[i];
        printf("x=%g sin=%.17g cos=%.17g exp=%e\n", x, sin(x), cos(x), exp(x));
        printf("  log|x|=%.17g pow=%.17g sqrt|x|=%.17g fmod=%.17g atan2=%.17g\n",
               log(fabs(x)), pow(fabs(x), 1.5), sqrt(fabs(x)), fmod(x * 7.3, 2.1),
               atan2(x, 1.7));
    }
    printf("misc: %a %e %.3f %.0f %g\n", 0.1, 6.02214076e23, -0.0005, 2.5, floor(-7.5));
    return 0;
}
