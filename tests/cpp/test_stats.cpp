// The special functions compiled into calmkit::metrics (src/metrics/stats.cpp),
// against reference values from SciPy 1.x (scipy.stats.norm/t/beta.ppf),
// which R's qnorm/qt/qbeta agree with to the digits shown.
#include <calmkit/metrics/stats.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <stdexcept>

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
