// The error hierarchy of dyngraph. Every failure is a C++ exception derived
// from dg::Error; the Python bindings map each class to the Python exception
// a PyTorch user expects (ValueError, IndexError, TypeError, RuntimeError,
// MemoryError), with the same message.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

#include "dyngraph/export.h"

namespace dg {

class DG_API Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
class DG_API ValueError : public Error {
 public:
  using Error::Error;
};
class DG_API IndexError : public Error {
 public:
  using Error::Error;
};
class DG_API TypeError : public Error {
 public:
  using Error::Error;
};
class DG_API OutOfMemoryError : public Error {
 public:
  using Error::Error;
};
// An op has no kernel for the dtype it was given (PyTorch's "not implemented
// for 'Bool'"); Python's NotImplementedError.
class DG_API NotImplementedError : public Error {
 public:
  using Error::Error;
};
// A device was asked for that this build or machine lacks (no GPU, no driver).
class DG_API DeviceUnavailableError : public Error {
 public:
  using Error::Error;
};

namespace detail {
inline void append(std::ostringstream&) {}
template <class T, class... Rest>
void append(std::ostringstream& os, const T& first, const Rest&... rest) {
  os << first;
  append(os, rest...);
}
template <class... Args>
std::string cat(const Args&... args) {
  std::ostringstream os;
  append(os, args...);
  return os.str();
}
}  // namespace detail

}  // namespace dg

// DG_CHECK(cond, ErrorType, parts...): throw ErrorType with the parts
// streamed together when cond is false. The message is built only on failure.
#define DG_CHECK(cond, ErrorType, ...)                          \
  do {                                                          \
    if (__builtin_expect(!(cond), 0))                           \
      throw ::dg::ErrorType(::dg::detail::cat(__VA_ARGS__));    \
  } while (0)

#define DG_FAIL(ErrorType, ...) throw ::dg::ErrorType(::dg::detail::cat(__VA_ARGS__))
