// The special functions compiled into calmkit::metrics (src/metrics/stats.cpp),
// against reference values from SciPy 1.x (scipy.stats.norm/t/beta.ppf),
// which R's qnorm/qt/qbeta agree with to the digits shown.
#include <calmkit/metrics/stats.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

using namespace calmkit::metrics;

TEST_CASE("normal_quantile matches SciPy's norm.ppf") {
  CHECK(normal_quantile(0.95) == Approx(1.959963984540054).epsilon(1e-14));   // norm.ppf(0.975)
  CHECK(normal_quantile(0.90) == Approx(1.6448536269514722).epsilon(1e-14));  // norm.ppf(0.95)
  CHECK_THROWS_AS(normal_quantile(1.0), std::invalid_argument);
  CHECK_THROWS_AS(normal_quantile(0.0), std::invalid_argument);
  CHECK_THROWS_AS(normal_quantile(std::nan("")), std::invalid_argument);
}

TEST_CASE("student_t_quantile matches SciPy's t.ppf") {
  CHECK(student_t_quantile(10, 0.975) == Approx(2.228138851986274).epsilon(1e-13));
  CHECK(student_t_quantile(2.5, 0.995) == Approx(7.163728138948783).epsilon(1e-12));  // non-integer df
  CHECK(student_t_quantile(7, 0.5) == Approx(0.0).margin(1e-15));
  CHECK_THROWS_AS(student_t_quantile(0, 0.5), std::invalid_argument);
  CHECK_THROWS_AS(student_t_quantile(5, 1.5), std::invalid_argument);
}

TEST_CASE("beta_quantile matches SciPy's beta.ppf") {
  CHECK(beta_quantile(2, 3, 0.5) == Approx(0.3857275681323895).epsilon(1e-13));
  CHECK(beta_quantile(3, 8, 0.025) == Approx(0.06673951117773447).epsilon(1e-12));
  CHECK(beta_quantile(1, 1, 0.3) == Approx(0.3).epsilon(1e-14));  // Beta(1, 1) is uniform
  CHECK_THROWS_AS(beta_quantile(0, 1, 0.5), std::invalid_argument);
  CHECK_THROWS_AS(beta_quantile(1, 1, -0.1), std::invalid_argument);
}

// statsmodels 0.14: smf.ols("y ~ x + C(g)", d).fit(cov_type="cluster",
// cov_kwds={"groups": d.g}, use_t=True) on these ten points (three people).
TEST_CASE("within_ols_slope matches statsmodels' fixed-effects OLS with clustered errors") {
  const std::vector<double> x{0.0, 1.0, 2.5, 0.5, 1.5, 3.0, 4.0, 2.0, 2.2, 5.0};
  const std::vector<double> y{6, 5, 5, 8, 7, 7, 6, 3, 4, 2};
  const std::vector<std::int32_t> g{0, 0, 0, 3, 3, 3, 3, 7, 7, 7};
  const Slope s = within_ols_slope(x, y, g, 0.95);
  CHECK(s.slope == Approx(-0.465406191564513).epsilon(1e-12));
  CHECK(s.se == Approx(0.0353591328289318).epsilon(1e-12));
  CHECK(s.low == Approx(-0.6175442609524903).epsilon(1e-10));
  CHECK(s.high == Approx(-0.31326812217653577).epsilon(1e-10));
  CHECK(s.df == 2.0);
  CHECK(s.intercept == Approx(6.309931435694993).epsilon(1e-12));  // mean(y) - slope * mean(x)
}

TEST_CASE("within_ols_slope: undefined parts are NaN, bad input throws") {
  const std::vector<double> x{0.0, 1.0, 2.0};
  const std::vector<double> y{3, 4, 6};
  // One person: that person's own least-squares fit, as ols_slope gives it.
  const Slope one = within_ols_slope(x, y, std::vector<std::int32_t>{5, 5, 5});
  const Slope ols = ols_slope(x, y);
  CHECK(one.slope == Approx(1.5));
  CHECK(one.se == Approx(ols.se));
  CHECK(one.low == Approx(ols.low));
  CHECK(one.intercept == Approx(ols.intercept));
  // Two people, three points: no residual degrees of freedom for the clustered SE.
  const Slope two = within_ols_slope(x, y, std::vector<std::int32_t>{0, 0, 1});
  CHECK(two.slope == Approx(1.0));
  CHECK(std::isnan(two.se));
  // Nobody's x varies: no slope.
  CHECK(std::isnan(within_ols_slope(x, y, std::vector<std::int32_t>{0, 1, 2}).slope));
  CHECK(std::isnan(within_ols_slope({}, {}, {}).slope));
  CHECK_THROWS_AS(within_ols_slope(x, y, std::vector<std::int32_t>{0, -1, 0}), std::invalid_argument);
  CHECK_THROWS_AS(within_ols_slope(x, y, std::vector<std::int32_t>{0, 1}), std::invalid_argument);
}
