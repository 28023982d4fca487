// Force-included (-include) in the WebAssembly build only. Debian 12's
// Emscripten 3.1.6 ships libc++ 13, which lacks a few C++20 library parts
// calmkit uses; this header supplies them, with the standard's meaning, and
// nothing when the library has them (a newer Emscripten compiles without it).
#pragma once

#include <__config>  // _LIBCPP_VERSION

#if defined(_LIBCPP_VERSION) && _LIBCPP_VERSION < 14000

#include <cerrno>
#include <charconv>
#include <cmath>
#include <compare>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <type_traits>
#include <utility>

namespace std {

// <compare> named comparison functions ([cmp.categories.pre]).
constexpr bool is_eq(partial_ordering c) noexcept {
  return c == 0;
}
constexpr bool is_neq(partial_ordering c) noexcept {
  return c != 0;
}
constexpr bool is_lt(partial_ordering c) noexcept {
  return c < 0;
}
constexpr bool is_lteq(partial_ordering c) noexcept {
  return c <= 0;
}
constexpr bool is_gt(partial_ordering c) noexcept {
  return c > 0;
}
constexpr bool is_gteq(partial_ordering c) noexcept {
  return c >= 0;
}

// <bit> bit_cast ([bit.cast]).
template <class To, class From>
requires(sizeof(To) == sizeof(From) && is_trivially_copyable_v<To> &&
         is_trivially_copyable_v<From>) constexpr To bit_cast(const From& from) noexcept {
  return __builtin_bit_cast(To, from);
}

// <thread> jthread, as far as calmkit uses it: runs a callable and joins on
// destruction (no stop token). This build runs the metrics on one thread
// (set_threads(1)), so none is ever started.
class jthread {
 public:
  jthread() noexcept = default;
  template <class F>
  explicit jthread(F&& f) : t_(std::forward<F>(f)) {}
  jthread(jthread&&) noexcept = default;
  jthread& operator=(jthread&& o) noexcept {
    if (t_.joinable()) t_.join();
    t_ = std::move(o.t_);
    return *this;
  }
  ~jthread() {
    if (t_.joinable()) t_.join();
  }
  void join() { t_.join(); }
  [[nodiscard]] bool joinable() const noexcept { return t_.joinable(); }

 private:
  thread t_;
};

// <charconv> to_chars for double in the shortest form ([charconv.to.chars]/2):
// the fewest significant digits that read back as the same value (the
// correctly rounded ones, so the closest of that length), written as printf's
// %f or %e would write them, whichever is shorter (%f on a tie).
inline to_chars_result to_chars(char* first, char* last, double value) {
  char out[64];
  size_t n = 0;
  if (std::isnan(value) || std::isinf(value)) {
    n = static_cast<size_t>(std::snprintf(out, sizeof out, "%s%s", std::signbit(value) ? "-" : "",
                                          std::isnan(value) ? "nan" : "inf"));
  } else if (value == 0) {
    n = static_cast<size_t>(std::snprintf(out, sizeof out, "%s", std::signbit(value) ? "-0" : "0"));
  } else {
    // The shortest correctly rounded digits that read back exactly.
    char sci[40];
    int prec = 0;
    for (; prec < 17; ++prec) {
      std::snprintf(sci, sizeof sci, "%.*e", prec, value);
      if (std::strtod(sci, nullptr) == value) break;
    }
    // sci: [-]d[.ddd]e±XX. Split into sign, digits and exponent.
    const char* p = sci;
    const bool neg = *p == '-';
    if (neg) ++p;
    char digits[24];
    size_t nd = 0;
    for (; *p != 'e'; ++p) {
      if (*p != '.') digits[nd++] = *p;
    }
    const int exp10 = std::atoi(p + 1);
    // Scientific form, as %e writes it: d[.ddd]e±XX (at least two exponent digits).
    char s[48];
    size_t ns = 0;
    if (neg) s[ns++] = '-';
    s[ns++] = digits[0];
    if (nd > 1) {
      s[ns++] = '.';
      for (size_t i = 1; i < nd; ++i) s[ns++] = digits[i];
    }
    ns += static_cast<size_t>(
        std::snprintf(s + ns, sizeof s - ns, "e%c%02d", exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10));
    // Fixed form with the same digits: the decimal point after exp10 + 1 digits.
    char f[400];
    size_t nf = 0;
    if (neg) f[nf++] = '-';
    const int point = exp10 + 1;  // digits before the point
    if (point <= 0) {
      f[nf++] = '0';
      f[nf++] = '.';
      for (int i = 0; i < -point; ++i) f[nf++] = '0';
      for (size_t i = 0; i < nd; ++i) f[nf++] = digits[i];
    } else {
      for (int i = 0; i < point; ++i) f[nf++] = static_cast<size_t>(i) < nd ? digits[i] : '0';
      if (static_cast<size_t>(point) < nd) {
        f[nf++] = '.';
        for (size_t i = static_cast<size_t>(point); i < nd; ++i) f[nf++] = digits[i];
      }
    }
    if (nf <= ns) {
      std::memcpy(out, f, nf);
      n = nf;
    } else {
      std::memcpy(out, s, ns);
      n = ns;
    }
  }
  if (static_cast<size_t>(last - first) < n) return {last, errc::value_too_large};
  std::memcpy(first, out, n);
  return {first + n, errc{}};
}

}  // namespace std

#endif
