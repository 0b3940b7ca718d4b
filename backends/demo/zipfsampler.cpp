#include "zipfsampler.h"

#include <algorithm>
#include <cmath>

namespace cachescope {

ZipfSampler::ZipfSampler(int n, double skew)
    : m_skew(std::max(0.0, skew))
{
    n = std::max(1, n);
    m_cdf.resize(size_t(n));
    double sum = 0;
    for (int k = 0; k < n; ++k) {
        sum += 1.0 / std::pow(double(k + 1), m_skew);
        m_cdf[size_t(k)] = sum;
    }
    for (double &c : m_cdf)
        c /= sum;
    m_cdf.back() = 1.0; // rounding must never leave a draw past the end
}

int ZipfSampler::sample(std::mt19937 &rng) const
{
    const double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
    const auto it = std::upper_bound(m_cdf.begin(), m_cdf.end(), u);
    return int(std::min<std::ptrdiff_t>(it - m_cdf.begin(), std::ptrdiff_t(m_cdf.size()) - 1));
}

double ZipfSampler::probability(int rank) const
{
    if (rank < 0 || rank >= size())
        return 0.0;
    return rank == 0 ? m_cdf[0] : m_cdf[size_t(rank)] - m_cdf[size_t(rank) - 1];
}

} // namespace cachescope
