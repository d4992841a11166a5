// A minimal test harness: CHECK records failures, RUN runs a test function,
// main() reports "N passed, N failed" and the exit code.
#pragma once

#include <cmath>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace check {
inline int failures = 0;
inline int passed = 0;
inline int failed = 0;
}  // namespace check

#define CHECK(cond)                                                        \
  do {                                                                     \
    if (!(cond)) {                                                         \
      std::printf("  %s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      ++check::failures;                                                   \
    }                                                                      \
  } while (0)

#define CHECK_THROWS(expr, Type)         \
  do {                                   \
    bool thrown = false;                 \
    try {                                \
      (void)(expr);                      \
    } catch (const Type&) {              \
      thrown = true;                     \
    }                                    \
    CHECK(thrown && #Type);              \
  } while (0)

inline void run_test(const char* name, const std::function<void()>& fn) {
  int before = check::failures;
  try {
    fn();
  } catch (const std::exception& e) {
    std::printf("  %s: unexpected exception: %s\n", name, e.what());
    ++check::failures;
  }
  bool ok = check::failures == before;
  std::printf("%s %s\n", ok ? "PASS" : "FAIL", name);
  (ok ? check::passed : check::failed)++;
}

inline int report() {
  std::printf("%d passed, %d failed\n", check::passed, check::failed);
  return check::failed == 0 ? 0 : 1;
}
