#!/usr/bin/python3
"""Reference values for tests/unit/fit_test.cc, computed independently of
regal's C++ (no Nelder-Mead of ours): scipy 1.10's L-BFGS-B and Powell on the
objective of src/stats/fit.h -- the Huber loss (delta = 1e-3) of the residuals
of log error -- from a dense grid of starts, keeping the best. Run once by hand
(`/usr/bin/python3 tests/reference/fit_reference.py`, with Debian's
python3-scipy); the values are written into the test."""
import itertools
import math

import numpy as np
from scipy import optimize

DELTA = 1e-3

# The data of the test: 5 sizes x 3 seeds, error = 0.05 + 2 x^-0.5 times a
# fixed multiplicative noise.
X = [1e3, 3e3, 1e4, 3e4, 1e5]
NOISE = [0.03, -0.02, 0.01, -0.04, 0.02, 0.00, 0.05, -0.01, -0.03, 0.02, -0.02, 0.04, -0.01, 0.03, -0.05]
xs, ys = [], []
for i, x in enumerate(X):
    for s in range(3):
        xs.append(x)
        ys.append((0.05 + 2.0 * x ** -0.5) * math.exp(NOISE[3 * i + s]))
xs, ys = np.array(xs), np.array(ys)
ly = np.log(ys)
lx = np.log(xs)


def huber(r):
    a = np.abs(r)
    return np.where(a <= DELTA, 0.5 * r * r, DELTA * (a - 0.5 * DELTA)).sum()


def saturating(q):  # q = log A, alpha, log E in x's own units
    return huber(ly - np.logaddexp(q[0] - q[1] * lx, q[2]))


def power(q):
    return huber(ly - (q[0] - q[1] * lx))


def best(objective, grid):
    found = None
    for start in grid:
        for method in ("L-BFGS-B", "Powell"):
            r = optimize.minimize(objective, start, method=method, options={"maxiter": 20000, "xtol": 1e-12, "ftol": 1e-15}
                                  if method == "Powell" else {"maxiter": 20000, "ftol": 1e-15, "gtol": 1e-12})
            if found is None or r.fun < found.fun:
                found = r
    return found


sat = best(saturating, [[a, al, e] for a, al, e in itertools.product([0, 2, 4], [0.25, 0.5, 1.0], [-6, -3, -2])])
pw = best(power, [[a, al] for a, al in itertools.product([-2, 0, 2], [0.1, 0.3, 0.6])])
print("x, y:")
print(", ".join(repr(float(v)) for v in ys))
print(f"saturating: alpha {sat.x[1]:.10g}  A {math.exp(sat.x[0]):.10g}  E {math.exp(sat.x[2]):.10g}  objective {sat.fun:.10g}")
print(f"power:      alpha {pw.x[1]:.10g}  A {math.exp(pw.x[0]):.10g}  objective {pw.fun:.10g}")
