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

// <charconv> to_chars for double in the shortest form ([charconv.to.chars]):
// the fewest significant digits that read back as the same value (the
// correctly rounded ones, so the closest of that length), written in fixed
// (%f-like) or scientific (%e-like: d.ddde+XX) notation; without a format,
// whichever is shorter (fixed on a tie).
namespace calmkit_compat {
/// The two spellings of the shortest round-trip digits of `value`.
struct ShortestForms {
  char fixed[400];  // the fixed form of the smallest double has < 350 characters
  std::size_t nfixed = 0;
  char sci[48];
  std::size_t nsci = 0;
};
inline void shortest_forms(double value, ShortestForms& out) {
  if (std::isnan(value) || std::isinf(value) || value == 0) {
    const char* t = std::isnan(value) ? "nan" : std::isinf(value) ? "inf" : "0";
    std::size_t n = 0;
    if (std::signbit(value)) out.fixed[n++] = '-';
    for (; *t; ++t) out.fixed[n++] = *t;
    out.nfixed = n;
    std::memcpy(out.sci, out.fixed, n);
    if (value == 0) {  // 0e+00 in scientific form
      std::memcpy(out.sci + n, "e+00", 4);
      out.nsci = n + 4;
    } else {
      out.nsci = n;
    }
    return;
  }
  char e[40];
  int prec = 0;
  for (; prec < 17; ++prec) {
    std::snprintf(e, sizeof e, "%.*e", prec, value);
    if (std::strtod(e, nullptr) == value) break;
  }
  // e: [-]d[.ddd]e±XX. Split into sign, digits and exponent.
  const char* p = e;
  const bool neg = *p == '-';
  if (neg) ++p;
  char digits[24];
  std::size_t nd = 0;
  for (; *p != 'e'; ++p) {
    if (*p != '.') digits[nd++] = *p;
  }
  const int exp10 = std::atoi(p + 1);
  std::size_t ns = 0;
  if (neg) out.sci[ns++] = '-';
  out.sci[ns++] = digits[0];
  if (nd > 1) {
    out.sci[ns++] = '.';
    for (std::size_t i = 1; i < nd; ++i) out.sci[ns++] = digits[i];
  }
  ns += static_cast<std::size_t>(std::snprintf(out.sci + ns, sizeof out.sci - ns, "e%c%02d",
                                               exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10));
  out.nsci = ns;
  std::size_t nf = 0;
  if (neg) out.fixed[nf++] = '-';
  const int point = exp10 + 1;  // digits before the decimal point
  if (point <= 0) {
    out.fixed[nf++] = '0';
    out.fixed[nf++] = '.';
    for (int i = 0; i < -point; ++i) out.fixed[nf++] = '0';
    for (std::size_t i = 0; i < nd; ++i) out.fixed[nf++] = digits[i];
  } else {
    for (int i = 0; i < point; ++i) out.fixed[nf++] = static_cast<std::size_t>(i) < nd ? digits[i] : '0';
    if (static_cast<std::size_t>(point) < nd) {
      out.fixed[nf++] = '.';
      for (std::size_t i = static_cast<std::size_t>(point); i < nd; ++i) out.fixed[nf++] = digits[i];
    }
  }
  out.nfixed = nf;
}
inline std::to_chars_result put(char* first, char* last, const char* text, std::size_t n) {
  if (static_cast<std::size_t>(last - first) < n) return {last, std::errc::value_too_large};
  std::memcpy(first, text, n);
  return {first + n, std::errc{}};
}
}  // namespace calmkit_compat

inline to_chars_result to_chars(char* first, char* last, double value) {
  calmkit_compat::ShortestForms f;
  calmkit_compat::shortest_forms(value, f);
  return f.nfixed <= f.nsci ? calmkit_compat::put(first, last, f.fixed, f.nfixed)
                            : calmkit_compat::put(first, last, f.sci, f.nsci);
}

inline to_chars_result to_chars(char* first, char* last, double value, chars_format fmt) {
  calmkit_compat::ShortestForms f;
  calmkit_compat::shortest_forms(value, f);
  if (fmt == chars_format::fixed) return calmkit_compat::put(first, last, f.fixed, f.nfixed);
  if (fmt == chars_format::scientific) return calmkit_compat::put(first, last, f.sci, f.nsci);
  return to_chars(first, last, value);  // general: calmkit does not use it; the shorter form
}

}  // namespace std

#endif
