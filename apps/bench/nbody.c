/* f64 arithmetic with sqrt and division: the Computer Language Benchmarks
 * Game's n-body (Sun and the four gas giants), n steps of 0.01 days.
 * Returns the bits of the final energy, folded to 32. */
#include "bench.h"

#define BODIES 5
#define PI 3.141592653589793
#define SOLAR_MASS (4 * PI * PI)
#define DAYS_PER_YEAR 365.24

/* x, y, z, vx, vy, vz, mass per body; arrays rather than structs so that
 * no struct copy can turn into a memcpy call on the wasm side. */
static const double init[BODIES][7] = {
    {0, 0, 0, 0, 0, 0, SOLAR_MASS},
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

static double x[BODIES][3], v[BODIES][3], mass[BODIES];

static void advance(double dt)
{
    for (int i = 0; i < BODIES; i++)
        for (int j = i + 1; j < BODIES; j++) {
            double d[3], d2 = 0, mag;
            for (int k = 0; k < 3; k++) {
                d[k] = x[i][k] - x[j][k];
                d2 += d[k] * d[k];
            }
            mag = dt / (d2 * __builtin_sqrt(d2));
            for (int k = 0; k < 3; k++) {
                v[i][k] -= d[k] * mass[j] * mag;
                v[j][k] += d[k] * mass[i] * mag;
            }
        }
    for (int i = 0; i < BODIES; i++)
        for (int k = 0; k < 3; k++)
            x[i][k] += dt * v[i][k];
}

static double energy(void)
{
    double e = 0;

    for (int i = 0; i < BODIES; i++) {
        e += 0.5 * mass[i] * (v[i][0] * v[i][0] + v[i][1] * v[i][1] + v[i][2] * v[i][2]);
        for (int j = i + 1; j < BODIES; j++) {
            double d2 = 0;
            for (int k = 0; k < 3; k++)
                d2 += (x[i][k] - x[j][k]) * (x[i][k] - x[j][k]);
            e -= mass[i] * mass[j] / __builtin_sqrt(d2);
        }
    }
    return e;
}

uint32_t run(uint32_t n)
{
    double p[3] = {0, 0, 0};

    for (int i = 0; i < BODIES; i++) {
        for (int k = 0; k < 3; k++) {
            x[i][k] = init[i][k];
            v[i][k] = init[i][3 + k];
        }
        mass[i] = init[i][6];
    }
    /* Offset the Sun's momentum so the system's total is zero. */
    for (int i = 0; i < BODIES; i++)
        for (int k = 0; k < 3; k++)
            p[k] += v[i][k] * mass[i];
    for (int k = 0; k < 3; k++)
        v[0][k] = -p[k] / SOLAR_MASS;
    for (uint32_t step = 0; step < n; step++)
        advance(0.01);
    return f64_fold(energy());
}
