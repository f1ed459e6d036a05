// Welch's t-test against reference values. Where they come from:
//  - closed forms, by hand: I_x(1,1) = x, I_x(a,1) = x^a, I_x(1,b) = 1-(1-x)^b,
//    I_{1/2}(a,a) = 1/2 (symmetry), I_x(m, n-m+1) as a binomial sum (DLMF
//    8.17.5); Student's t CDF for df = 1 (Cauchy: 1/2 + atan(t)/pi) and
//    df = 2 (1/2 + t / (2 sqrt(2 + t^2)));
//  - the Welch examples: means and variances from python3's statistics
//    module (mean, variance), t and df from the formulas in welch.hpp, and
//    the CDF by integrating the t density (math.lgamma for the constant)
//    with Simpson's rule over 200000 intervals, independent of the
//    incomplete-beta route used here;
//  - the textbook table value t(0.975, 10) = 2.228.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

#include "host/verdict/welch.hpp"

using namespace ktstr::verdict;

TEST_CASE("sample statistics: mean and unbiased variance") {
  std::vector<double> v{1, 2, 3, 4, 5};
  auto s = sample_stats(v);
  CHECK(s.n == 5);
  CHECK(s.mean == doctest::Approx(3.0));
  CHECK(s.variance == doctest::Approx(2.5));  // sum of squares 10 over n - 1 = 4
  std::vector<double> one{7};
  CHECK(sample_stats(one).variance == 0);
  CHECK(sample_stats(one).mean == 7);
  CHECK(sample_stats(std::vector<double>{}).n == 0);
}

TEST_CASE("regularized incomplete beta: closed forms") {
  CHECK(regularized_incomplete_beta(0.3, 1, 1) == doctest::Approx(0.3).epsilon(1e-12));
  CHECK(regularized_incomplete_beta(0.3, 2, 1) == doctest::Approx(0.09).epsilon(1e-12));
  CHECK(regularized_incomplete_beta(0.3, 1, 3) == doctest::Approx(1 - 0.343).epsilon(1e-12));
  CHECK(regularized_incomplete_beta(0.5, 3.5, 3.5) == doctest::Approx(0.5).epsilon(1e-12));
  // DLMF 8.17.5 with m = 2, n = 4: sum_{j=2..4} C(4,j) 0.2^j 0.8^(4-j) = 0.1536 + 0.0256 + 0.0016.
  CHECK(regularized_incomplete_beta(0.2, 2, 3) == doctest::Approx(0.1808).epsilon(1e-12));
  // The far side of the fraction's switch point goes through the symmetry.
  CHECK(regularized_incomplete_beta(0.9, 2, 3) == doctest::Approx(1 - regularized_incomplete_beta(0.1, 3, 2)));
  CHECK(regularized_incomplete_beta(0, 2, 3) == 0);
  CHECK(regularized_incomplete_beta(1, 2, 3) == 1);
}

TEST_CASE("Student's t CDF: closed forms for df 1 and 2, table value, symmetry") {
  for (double t : {-3.0, -1.0, 0.0, 0.4, 1.0, 7.5}) {
    CAPTURE(t);
    CHECK(student_t_cdf(t, 1) == doctest::Approx(0.5 + std::atan(t) / std::numbers::pi).epsilon(1e-10));
    CHECK(student_t_cdf(t, 2) == doctest::Approx(0.5 + t / (2 * std::sqrt(2 + t * t))).epsilon(1e-10));
    CHECK(student_t_cdf(t, 7.3) + student_t_cdf(-t, 7.3) == doctest::Approx(1.0));
  }
  CHECK(student_t_cdf(2.228, 10) == doctest::Approx(0.975).epsilon(1e-4));
  CHECK(student_t_cdf(2.228, 10) == doctest::Approx(0.9749941140914502).epsilon(1e-9));  // Simpson
  CHECK(student_t_cdf(-1.3, 2.5) == doctest::Approx(0.15024339463535413).epsilon(1e-9));
  CHECK(student_t_cdf(0.5, 30) == doctest::Approx(0.6896384975574358).epsilon(1e-9));
  CHECK(student_t_cdf(std::numeric_limits<double>::infinity(), 3) == 1);
  CHECK(student_t_cdf(-std::numeric_limits<double>::infinity(), 3) == 0);
}

TEST_CASE("Welch's t and df: worked example") {
  // a = 1..5 (mean 3, var 2.5), b = 2,4,..,10 (mean 6, var 10):
  // se^2 = 2.5/5 + 10/5 = 2.5, t = 3 / sqrt(2.5) = 1.8973665961,
  // df = 2.5^2 / (0.5^2/4 + 2^2/4) = 6.25 / 1.0625 = 5.882352941.
  std::vector<double> a{1, 2, 3, 4, 5}, b{2, 4, 6, 8, 10};
  auto w = welch_t(sample_stats(a), sample_stats(b));
  REQUIRE(w);
  CHECK(w->t == doctest::Approx(1.8973665961010275));
  CHECK(w->df == doctest::Approx(5.882352941176471));
  // b higher is worse when lower is better: p = P(T >= t) = 0.0537655975 (Simpson).
  CHECK(p_worse(*w, false) == doctest::Approx(0.05376559746531662).epsilon(1e-9));
  CHECK(p_worse(*w, true) == doctest::Approx(1 - 0.05376559746531662).epsilon(1e-9));
}

TEST_CASE("Welch: a clear drop in rate is significant, identical samples are not") {
  // Rates of five runs per side (iterations/s), B about 5 % slower.
  std::vector<double> a{1012.0, 998.5, 1005.2, 990.1, 1001.7}, b{951.3, 940.2, 962.8, 948.9, 955.0};
  auto w = welch_t(sample_stats(a), sample_stats(b));
  REQUIRE(w);
  CHECK(w->t == doctest::Approx(-9.6198913736254));
  CHECK(w->df == doctest::Approx(7.996404938570917));
  CHECK(p_worse(*w, true) == doctest::Approx(5.681293873294191e-06).epsilon(1e-3));
  auto same = welch_t(sample_stats(a), sample_stats(a));
  REQUIRE(same);
  CHECK(same->t == 0);
  CHECK(p_worse(*same, true) == doctest::Approx(0.5));
}

TEST_CASE("Welch: fewer than two runs on a side is no test, zero variance is decided by the means") {
  std::vector<double> one{1}, two{1, 2};
  CHECK_FALSE(welch_t(sample_stats(one), sample_stats(two)));
  CHECK_FALSE(welch_t(sample_stats(two), sample_stats(one)));
  std::vector<double> flat_a{5, 5, 5}, flat_b{4, 4, 4};
  auto w = welch_t(sample_stats(flat_a), sample_stats(flat_b));
  REQUIRE(w);
  CHECK(std::isinf(w->t));
  CHECK(w->df == 4);
  CHECK(p_worse(*w, true) == 0);   // lower rate, no noise: certainly worse
  CHECK(p_worse(*w, false) == 1);  // lower latency: certainly not worse
}
