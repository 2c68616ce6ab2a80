// A small binary record format for the layer cache: fixed-width integers in the machine's byte
// order and length-prefixed strings. The reader checks every length against what is left, so a
// damaged record ends in SerialError, never in a read past the end.
#pragma once
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

namespace imagelint {

struct SerialError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class SerialOut {
 public:
  explicit SerialOut(std::string& out) : out_(out) {}
  template <typename T>
  void num(T v) {
    static_assert(std::is_arithmetic_v<T> || std::is_enum_v<T>);
    out_.append(reinterpret_cast<const char*>(&v), sizeof v);
  }
  void str(std::string_view s) {
    num(static_cast<uint64_t>(s.size()));
    out_.append(s);
  }
  void raw(const void* p, size_t n) { out_.append(static_cast<const char*>(p), n); }

 private:
  std::string& out_;
};

class SerialIn {
 public:
  explicit SerialIn(std::string_view in) : in_(in) {}
  template <typename T>
  T num() {
    static_assert(std::is_arithmetic_v<T> || std::is_enum_v<T>);
    T v;
    std::memcpy(&v, take(sizeof v).data(), sizeof v);
    return v;
  }
  std::string_view str() { return take(num<uint64_t>()); }
  std::string_view take(uint64_t n) {
    if (n > in_.size()) throw SerialError("record cut short");
    std::string_view v = in_.substr(0, static_cast<size_t>(n));
    in_.remove_prefix(static_cast<size_t>(n));
    return v;
  }
  bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

}  // namespace imagelint
