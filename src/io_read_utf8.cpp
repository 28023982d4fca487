// Cold path of the reader: which field of a line holds its first byte that is
// not UTF-8. A small walk over the JSON text up to that byte (the line failed
// simdjson's stage 1, so nothing else has parsed it); see io_read_utf8.hpp.
#include "io_read_utf8.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace calmkit::detail::jsonl {

namespace {

class Walk {
 public:
  Walk(std::string_view line, std::size_t bad) : s_(line), bad_(bad) {}

  /// The field and offset, or nullopt when the walk met something it does
  /// not understand before the bad byte (the caller then names the line).
  std::optional<RuleViolation> run() {
    ws();
    return value();
  }

 private:
  struct Step {
    std::string_view key;  // "" for an array element
    std::size_t index = 0;
  };

  [[nodiscard]] std::string field() const {
    std::string out;
    for (const Step& p : path_) {
      if (p.key.empty()) {
        out += '[' + std::to_string(p.index) + ']';
      } else {
        if (!out.empty()) out += '.';
        out += p.key;
      }
    }
    return out;
  }

  [[nodiscard]] RuleViolation at(std::size_t offset) const {
    return {field(), rules::not_utf8(static_cast<unsigned char>(s_[bad_]), offset)};
  }

  void ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\r' || s_[i_] == '\n')) ++i_;
  }

  /// A string at `i_` (on its opening quote). `decoded`: its text's length so
  /// far as the record will hold it. Returns the violation when the bad byte is
  /// inside, or sets `i_` past the closing quote.
  std::optional<RuleViolation> string(bool is_value, std::string_view* raw) {
    const std::size_t open = ++i_;
    std::size_t decoded = 0;
    while (i_ < s_.size()) {
      if (i_ == bad_) {
        if (is_value) return at(decoded);
        return RuleViolation{"", rules::not_utf8(static_cast<unsigned char>(s_[bad_]), bad_)};
      }
      const auto c = static_cast<unsigned char>(s_[i_]);
      if (c == '"') {
        if (raw != nullptr) *raw = s_.substr(open, i_ - open);
        ++i_;
        return std::nullopt;
      }
      if (c == '\\' && i_ + 1 < s_.size()) {
        if (s_[i_ + 1] == 'u' && i_ + 6 <= s_.size()) {
          const unsigned cp = hex4(i_ + 2);
          i_ += 6;
          if (cp >= 0xD800 && cp <= 0xDBFF && i_ + 6 <= s_.size() && s_[i_] == '\\' && s_[i_ + 1] == 'u') {
            i_ += 6;  // a surrogate pair: one code point of 4 bytes
            decoded += 4;
          } else {
            decoded += cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3;
          }
        } else {
          i_ += 2;
          ++decoded;
        }
        continue;
      }
      ++i_;
      ++decoded;
    }
    lost_ = true;
    return std::nullopt;
  }

  [[nodiscard]] unsigned hex4(std::size_t p) const {
    unsigned v = 0;
    for (std::size_t k = p; k < p + 4; ++k) {
      const char c = s_[k];
      v <<= 4U;
      if (c >= '0' && c <= '9')
        v |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f')
        v |= static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        v |= static_cast<unsigned>(c - 'A' + 10);
    }
    return v;
  }

  std::optional<RuleViolation> value() {
    if (lost_ || i_ >= s_.size() || i_ > bad_) return lose();
    const char c = s_[i_];
    if (c == '"') return string(true, nullptr);
    if (c == '{') return container('}');
    if (c == '[') return container(']');
    // A number or literal: up to the next delimiter.
    const std::size_t start = i_;
    while (i_ < s_.size() && s_[i_] != ',' && s_[i_] != '}' && s_[i_] != ']' && s_[i_] != ' ') {
      if (i_ == bad_) return at(i_ - start);
      ++i_;
    }
    return std::nullopt;
  }

  std::optional<RuleViolation> container(char close) {
    const bool object = close == '}';
    ++i_;
    std::size_t index = 0;
    for (;;) {
      ws();
      if (lost_ || i_ >= s_.size() || i_ > bad_) return lose();
      if (s_[i_] == close) {
        ++i_;
        return std::nullopt;
      }
      Step step{{}, index};
      if (object) {
        if (s_[i_] != '"') return lose();
        if (auto v = string(false, &step.key)) return v;
        if (lost_) return lose();
        ws();
        if (i_ >= s_.size() || s_[i_] != ':') return lose();
        ++i_;
        ws();
        if (step.key.empty()) step.key = "\"\"";
      }
      path_.push_back(step);
      if (auto v = value()) return v;
      path_.pop_back();
      if (lost_) return lose();
      ws();
      if (i_ < s_.size() && s_[i_] == ',') {
        ++i_;
        ++index;
        continue;
      }
      if (i_ < s_.size() && s_[i_] == close) {
        ++i_;
        return std::nullopt;
      }
      return lose();
    }
  }

  std::optional<RuleViolation> lose() {
    lost_ = true;
    return std::nullopt;
  }

  std::string_view s_;
  std::size_t bad_;
  std::size_t i_ = 0;
  bool lost_ = false;
  std::vector<Step> path_;
};

}  // namespace

RuleViolation utf8_violation(std::string_view line) {
  const std::size_t bad = first_invalid_utf8(line);
  if (bad == std::string_view::npos)
    return {"", std::string(line_not_utf8)};  // simdjson and the rule disagree
  if (auto v = Walk(line, bad).run()) return *std::move(v);
  return {"", rules::not_utf8(static_cast<unsigned char>(line[bad]), bad)};
}

}  // namespace calmkit::detail::jsonl
