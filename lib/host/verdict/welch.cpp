#include "host/verdict/welch.hpp"

#include <cmath>
#include <limits>

namespace ktstr::verdict {

SampleStats sample_stats(std::span<const double> values) {
  SampleStats s{.n = values.size()};
  if (s.n == 0) return s;
  for (double v : values) s.mean += v;
  s.mean /= static_cast<double>(s.n);
  if (s.n < 2) return s;
  for (double v : values) s.variance += (v - s.mean) * (v - s.mean);
  s.variance /= static_cast<double>(s.n - 1);
  return s;
}

namespace {

// The continued fraction of DLMF 8.17.22,
//   1 / (1 + d1 / (1 + d2 / (1 + ...))),
//   d_{2m}   =  m (b - m) x / ((a + 2m - 1)(a + 2m)),
//   d_{2m+1} = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)),
// evaluated front to back by the modified Lentz method (each partial
// denominator is 1; tiny stands in for a zero to avoid dividing by it).
double beta_fraction(double x, double a, double b) {
  constexpr double kTiny = 1e-300, kEps = 1e-15;
  constexpr int kMaxTerms = 10000;
  double f = 1, c = 1, d = 0;
  for (int j = 1; j <= kMaxTerms; ++j) {
    const int m = j / 2;
    const double dj = j % 2 == 0 ? m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
                                 : -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
    d = 1 + dj * d;
    c = 1 + dj / c;
    if (std::fabs(d) < kTiny) d = kTiny;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    const double delta = c * d;
    f *= delta;
    if (std::fabs(delta - 1) < kEps) break;
  }
  return 1 / f;
}

}  // namespace

double regularized_incomplete_beta(double x, double a, double b) {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  // The fraction converges quickly for x < (a + 1) / (a + b + 2); beyond, use the symmetry.
  if (x > (a + 1) / (a + b + 2)) return 1 - regularized_incomplete_beta(1 - x, b, a);
  // Prefactor x^a (1-x)^b / (a B(a, b)), in logs: B(a, b) = G(a) G(b) / G(a + b).
  const double log_front = a * std::log(x) + b * std::log1p(-x) -
                           (std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b)) - std::log(a);
  return std::exp(log_front) * beta_fraction(x, a, b);
}

double student_t_cdf(double t, double df) {
  if (std::isinf(t)) return t > 0 ? 1.0 : 0.0;
  const double x = df / (df + t * t);
  const double tail = 0.5 * regularized_incomplete_beta(x, df / 2, 0.5);  // P(T > |t|)
  return t >= 0 ? 1 - tail : tail;
}

std::optional<WelchResult> welch_t(const SampleStats& a, const SampleStats& b) {
  if (a.n < 2 || b.n < 2) return std::nullopt;
  const double va = a.variance / static_cast<double>(a.n), vb = b.variance / static_cast<double>(b.n);
  const double diff = b.mean - a.mean;
  if (va + vb == 0) {
    const double inf = std::numeric_limits<double>::infinity();
    return WelchResult{.t = diff > 0 ? inf : diff < 0 ? -inf : 0.0, .df = static_cast<double>(a.n + b.n - 2)};
  }
  const double df = (va + vb) * (va + vb) /
                    (va * va / static_cast<double>(a.n - 1) + vb * vb / static_cast<double>(b.n - 1));
  return WelchResult{.t = diff / std::sqrt(va + vb), .df = df};
}

double p_worse(const WelchResult& w, bool higher_is_better) {
  return higher_is_better ? student_t_cdf(w.t, w.df) : 1 - student_t_cdf(w.t, w.df);
}

}  // namespace ktstr::verdict
