// Welch's unequal-variance t-test, for `ktstr stats compare` over several
// runs per side. Written from the definitions: Welch (1947) for t and the
// Welch-Satterthwaite degrees of freedom, Student's t CDF through the
// regularized incomplete beta function (DLMF 8.17.2 definition, 8.17.4
// symmetry, 8.17.22 continued fraction): substituting x = df / (df + s^2)
// in the integral of the t density over |s| > |t| gives I_x(df/2, 1/2).
// Pure functions.
#pragma once

#include <cstddef>
#include <optional>
#include <span>

namespace ktstr::verdict {

// Size, mean and unbiased sample variance (divides by n - 1; 0 when n < 2).
struct SampleStats {
  size_t n = 0;
  double mean = 0;
  double variance = 0;
};
SampleStats sample_stats(std::span<const double> values);

// I_x(a, b) = B_x(a, b) / B(a, b) for a, b > 0 and 0 <= x <= 1, by the
// continued fraction DLMF 8.17.22 (modified Lentz), using the symmetry
// I_x(a, b) = 1 - I_{1-x}(b, a) (8.17.4) where the fraction converges slowly.
double regularized_incomplete_beta(double x, double a, double b);

// P(T <= t) for Student's t with df > 0 degrees of freedom (df may be
// fractional, as Welch's is): with x = df / (df + t^2),
// P(T <= t) = 1 - I_x(df/2, 1/2) / 2 for t >= 0, and I_x(df/2, 1/2) / 2 for t < 0.
double student_t_cdf(double t, double df);

// Welch's statistic for the difference b - a:
//   t  = (mean_b - mean_a) / sqrt(s_a^2/n_a + s_b^2/n_b)
//   df = (s_a^2/n_a + s_b^2/n_b)^2 / ((s_a^2/n_a)^2/(n_a-1) + (s_b^2/n_b)^2/(n_b-1))
// nullopt unless both sides have n >= 2. Both variances 0: t is +-infinity
// (or 0 for equal means) and df = n_a + n_b - 2.
struct WelchResult {
  double t = 0;
  double df = 0;
};
std::optional<WelchResult> welch_t(const SampleStats& a, const SampleStats& b);

// One-sided p-value of "b is worse than a": P(T <= t) when higher values
// are better (b lower is worse), P(T >= t) otherwise.
double p_worse(const WelchResult& w, bool higher_is_better);

}  // namespace ktstr::verdict
