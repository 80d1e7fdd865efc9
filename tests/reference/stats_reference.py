#!/usr/bin/python3
"""Reference values for tests/unit/stats_test.cc, computed independently of
regal's C++: scipy 1.10 for the distributions and tests, brute-force
enumeration where scipy approximates, and a Python implementation of the
bootstrap procedure documented in src/stats/bootstrap.h (xoshiro256** and all).
Run once by hand (`/usr/bin/python3 tests/reference/stats_reference.py`, with
Debian's python3-scipy); the values are written into the test."""
import itertools
import math

import numpy as np
from scipy import stats

M = (1 << 64) - 1


def splitmix64(state):
    state = (state + 0x9E3779B97F4A7C15) & M
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
    return state, z ^ (z >> 31)


class Rng:
    def __init__(self, seed):
        state, self.s = seed, []
        for _ in range(4):
            state, word = splitmix64(state)
            self.s.append(word)

    def next(self):
        s = self.s
        rotl = lambda x, k: ((x << k) | (x >> (64 - k))) & M
        result = (rotl((s[1] * 5) & M, 7) * 9) & M
        t = (s[1] << 17) & M
        s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def below(self, bound):
        product = self.next() * bound
        low = product & M
        if low < bound:
            threshold = ((1 << 64) - bound) % bound
            while low < threshold:
                product = self.next() * bound
                low = product & M
        return product >> 64


def bootstrap(strata, statistic, resamples, confidence, seed):
    rng, stats_ = Rng(seed), []
    for _ in range(resamples):
        sample = []
        for stratum in strata:
            sample += [stratum[rng.below(len(stratum))] for _ in stratum]
        if statistic == "mean":
            total = 0.0
            for v in sample:
                total += v
            stats_.append(total / len(sample))
        else:
            stats_.append(stats.trim_mean(sample, 0.25))
    return np.percentile(stats_, [100 * (1 - confidence) / 2, 100 * (1 + confidence) / 2])


def brute_wilcoxon(d):
    d = [x for x in d if x != 0]
    ranks = stats.rankdata([abs(x) for x in d])
    w = sum(r for x, r in zip(d, ranks) if x > 0)
    sums = [sum(r for r, s in zip(ranks, signs) if s) for signs in itertools.product([0, 1], repeat=len(d))]
    below = sum(1 for s in sums if s <= w + 1e-9)
    above = sum(1 for s in sums if s >= w - 1e-9)
    return w, min(1.0, 2 * min(below, above) / len(sums))


def power_paired(effect, sd, n, alpha):
    df, nc = n - 1, effect / sd * math.sqrt(n)
    crit = stats.t.ppf(1 - alpha / 2, df)
    return stats.nct.sf(crit, df, nc) + stats.nct.cdf(-crit, df, nc)


def power_unpaired(effect, sd, n, alpha):
    df, nc = 2 * n - 2, effect / sd * math.sqrt(n / 2)
    crit = stats.t.ppf(1 - alpha / 2, df)
    return stats.nct.sf(crit, df, nc) + stats.nct.cdf(-crit, df, nc)


a = [0.91, 0.85, 0.88, 0.95, 0.79, 0.93, 0.87, 0.90]
b = [0.72, 0.80, 0.75, 0.85, 0.70, 0.88, 0.69, 0.77]
d = [x - y for x, y in zip(a, b)]
print("paired t", stats.ttest_rel(a, b))
print("welch t", stats.ttest_ind(a, b, equal_var=False))
print("wilcoxon exact (no ties)", stats.wilcoxon(a, b))
tied = [0.1, -0.2, 0.2, 0.3, 0.3, -0.1, 0.4, 0.2]
print("wilcoxon brute (ties)", brute_wilcoxon(tied))
big = [((i * 37) % 23 - 9) / 10 for i in range(40)]
print("wilcoxon normal (n=40, ties, zeros)", stats.wilcoxon(big, zero_method="wilcox", correction=True, method="approx"))
b_no_ties = [0.72, 0.80, 0.75, 0.84, 0.70, 0.89, 0.69, 0.77]
print("mann-whitney exact (no ties)", stats.mannwhitneyu(a, b_no_ties, alternative="two-sided", method="exact"))
ta = [1, 2, 2, 3, 5, 5, 6, 8, 9, 9]
tb = [2, 3, 3, 4, 4, 6, 7, 7, 8, 10, 11]
print("mann-whitney asymptotic (ties)", stats.mannwhitneyu(ta, tb, alternative="two-sided", method="asymptotic", use_continuity=True))
print("holm", [0.01, 0.04, 0.03, 0.005], "->")
from itertools import accumulate
p = np.array([0.01, 0.04, 0.03, 0.005]); order = np.argsort(p); m = len(p)
adj = np.empty(m); running = 0
for rank, i in enumerate(order):
    running = max(running, min(1, (m - rank) * p[i])); adj[i] = running
print("   ", list(adj))
print("iqm", stats.trim_mean([3, 1, 4, 1, 5, 9, 2, 6, 5, 3], 0.25), stats.trim_mean([0.5, 0.7, 0.9], 0.25))
print("bootstrap mean", list(bootstrap([[0.61, 0.72, 0.55, 0.80, 0.67]], "mean", 2000, 0.95, 42)))
print("bootstrap iqm stratified", list(bootstrap([[0.5, 0.6, 0.9], [0.7, 0.75, 0.8, 0.95]], "iqm", 500, 0.95, 7)))
print("power paired d=0.5 n=34", power_paired(0.5, 1.0, 34, 0.05), "n=33", power_paired(0.5, 1.0, 33, 0.05))
print("power unpaired d=0.5 n=64", power_unpaired(0.5, 1.0, 64, 0.05), "n=63", power_unpaired(0.5, 1.0, 63, 0.05))
print("one-sided paired t greater", stats.ttest_1samp(d, 0, alternative="greater").pvalue)
