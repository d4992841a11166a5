// A small JSON reader and writer for safetensors headers (serialize.cpp);
// internal, not part of the public API. The reader is strict RFC 8259 plus
// NaN/Infinity/-Infinity (which Python's json module writes), keeps object
// keys in file order, rejects duplicate keys and invalid UTF-8, and limits
// nesting depth so a hostile file cannot exhaust the stack.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace dg {
namespace json {

struct Value {
  enum class Kind { Null, Bool, Int, Float, String, Array, Object };
  Kind kind = Kind::Null;
  bool boolean = false;
  int64_t integer = 0;  // Kind::Int: integers that fit int64 (larger ones are Float)
  double number = 0;    // Kind::Float
  std::string string;
  std::vector<Value> array;
  std::vector<std::pair<std::string, Value>> object;  // in file order

  bool is_object() const { return kind == Kind::Object; }
  bool is_array() const { return kind == Kind::Array; }
  bool is_string() const { return kind == Kind::String; }
  bool is_int() const { return kind == Kind::Int; }
  // The member named key of an object, or null when absent.
  const Value* find(const std::string& key) const;
};

// Parses a complete JSON text; throws dg::ValueError naming the problem and
// its byte offset.
Value parse(const std::string& text);

// True when s is well-formed UTF-8.
bool is_valid_utf8(const std::string& s);

// Appends s to out as a JSON string literal (quotes and escapes added).
void append_string(std::string& out, const std::string& s);

}  // namespace json
}  // namespace dg
