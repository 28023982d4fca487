// The special functions of the metrics (include/calmkit/metrics/stats.hpp),
// compiled once with Boost.Math so that no public header includes it.

#include <calmkit/errors.hpp>
#include <calmkit/metrics/stats.hpp>

#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <boost/math/special_functions/beta.hpp>

#include <cmath>
#include <string>

namespace calmkit::metrics {

namespace {
void check_probability(const char* what, double p) {
  if (!(p >= 0.0 && p <= 1.0)) {
    calmkit::detail::throw_invalid(std::string(what) + ": p must be in [0, 1], got " + std::to_string(p));
  }
}
}  // namespace

double normal_quantile(double level) {
  detail::check_confidence(level);
  return boost::math::quantile(boost::math::normal(), 0.5 + level / 2.0);
}

double student_t_quantile(double df, double p) {
  check_probability("student_t_quantile", p);
  if (!(df > 0.0)) {
    calmkit::detail::throw_invalid("student_t_quantile: df must be > 0, got " + std::to_string(df));
  }
  return boost::math::quantile(boost::math::students_t(df), p);
}

double beta_quantile(double a, double b, double p) {
  check_probability("beta_quantile", p);
  if (!(a > 0.0 && b > 0.0) || !std::isfinite(a) || !std::isfinite(b)) {
    calmkit::detail::throw_invalid("beta_quantile: a and b must be finite and > 0, got " + std::to_string(a) +
                                   ", " + std::to_string(b));
  }
  return boost::math::ibeta_inv(a, b, p);
}

}  // namespace calmkit::metrics
