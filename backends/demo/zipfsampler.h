#pragma once

#include <QtGlobal>

#include <random>
#include <vector>

namespace cachescope {

// Draws ranks 0..n-1 with probability proportional to 1/(rank+1)^skew (skew 0 = uniform):
// a few charts are viewed far more often than the rest, as on real dashboards.
class ZipfSampler
{
public:
    ZipfSampler(int n, double skew);
    int sample(std::mt19937 &rng) const;
    int size() const { return int(m_cdf.size()); }
    double skew() const { return m_skew; }
    // Probability of one rank (for tests).
    double probability(int rank) const;

private:
    std::vector<double> m_cdf;
    double m_skew;
};

} // namespace cachescope
