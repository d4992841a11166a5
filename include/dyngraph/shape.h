// Shapes and strides: a small vector that keeps up to 6 entries inline (no
// heap allocation for the common case), a non-owning ArrayRef to pass them
// around, and overflow-checked size arithmetic.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <ostream>
#include <type_traits>
#include <vector>

#include "dyngraph/error.h"

namespace dg {

// A non-owning view of a contiguous sequence (like std::span).
template <class T>
class ArrayRef {
 public:
  ArrayRef() = default;
  ArrayRef(const T* data, size_t size) : data_(data), size_(size) {}
  ArrayRef(const T& single) : data_(&single), size_(1) {}
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winit-list-lifetime"
  // For arguments: the list outlives the call it is passed to.
  ArrayRef(std::initializer_list<T> il) : data_(il.begin()), size_(il.size()) {}
#pragma GCC diagnostic pop
  template <class A>
  ArrayRef(const std::vector<T, A>& v) : data_(v.data()), size_(v.size()) {}
  template <class C, class = decltype(std::declval<const C&>().data()),
            class = std::enable_if_t<!std::is_same<C, std::vector<T>>::value>>
  ArrayRef(const C& c) : data_(c.data()), size_(c.size()) {}

  const T* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const T* begin() const { return data_; }
  const T* end() const { return data_ + size_; }
  const T& operator[](size_t i) const { return data_[i]; }
  const T& back() const { return data_[size_ - 1]; }
  std::vector<T> vec() const { return std::vector<T>(begin(), end()); }
  bool equals(ArrayRef o) const {
    return size_ == o.size_ && std::equal(begin(), end(), o.begin());
  }

 private:
  const T* data_ = nullptr;
  size_t size_ = 0;
};
using IntArrayRef = ArrayRef<int64_t>;

// A vector of trivially copyable values with N entries stored inline.
template <class T, size_t N>
class SmallVector {
  static_assert(std::is_trivially_copyable<T>::value, "SmallVector holds plain values");

 public:
  SmallVector() = default;
  explicit SmallVector(size_t n, T value = T()) { resize(n, value); }
  SmallVector(std::initializer_list<T> il) { assign(il.begin(), il.end()); }
  SmallVector(ArrayRef<T> r) { assign(r.begin(), r.end()); }
  SmallVector(const SmallVector& o) { assign(o.begin(), o.end()); }
  SmallVector(SmallVector&& o) noexcept { steal(o); }
  SmallVector& operator=(const SmallVector& o) {
    if (this != &o) assign(o.begin(), o.end());
    return *this;
  }
  SmallVector& operator=(SmallVector&& o) noexcept {
    if (this != &o) {
      release();
      steal(o);
    }
    return *this;
  }
  ~SmallVector() { release(); }

  template <class It>
  void assign(It first, It last) {
    size_ = 0;
    reserve(static_cast<size_t>(last - first));
    for (; first != last; ++first) data_[size_++] = *first;
  }
  void reserve(size_t n) {
    if (n <= cap_) return;
    T* p = static_cast<T*>(std::malloc(n * sizeof(T)));
    if (!p) throw std::bad_alloc();
    if (size_) std::memcpy(p, data_, size_ * sizeof(T));
    if (data_ != inline_) std::free(data_);
    data_ = p;
    cap_ = n;
  }
  void resize(size_t n, T value = T()) {
    reserve(n);
    for (size_t i = size_; i < n; ++i) data_[i] = value;
    size_ = n;
  }
  void push_back(T v) {
    if (size_ == cap_) reserve(cap_ * 2);
    data_[size_++] = v;
  }
  void insert(size_t pos, T v) {
    push_back(v);
    std::memmove(data_ + pos + 1, data_ + pos, (size_ - 1 - pos) * sizeof(T));
    data_[pos] = v;
  }
  void erase(size_t pos) {
    std::memmove(data_ + pos, data_ + pos + 1, (size_ - 1 - pos) * sizeof(T));
    --size_;
  }
  void pop_back() { --size_; }
  void clear() { size_ = 0; }

  T* data() { return data_; }
  const T* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T& operator[](size_t i) { return data_[i]; }
  const T& operator[](size_t i) const { return data_[i]; }
  T& back() { return data_[size_ - 1]; }
  T* begin() { return data_; }
  T* end() { return data_ + size_; }
  const T* begin() const { return data_; }
  const T* end() const { return data_ + size_; }
  bool operator==(const SmallVector& o) const {
    return size_ == o.size_ && std::equal(begin(), end(), o.begin());
  }
  bool operator!=(const SmallVector& o) const { return !(*this == o); }

 private:
  void release() {
    if (data_ != inline_) std::free(data_);
    data_ = inline_;
    cap_ = N;
    size_ = 0;
  }
  void steal(SmallVector& o) {
    if (o.data_ == o.inline_) {
      data_ = inline_;
      cap_ = N;
      size_ = o.size_;
      std::memcpy(inline_, o.inline_, o.size_ * sizeof(T));
    } else {
      data_ = o.data_;
      cap_ = o.cap_;
      size_ = o.size_;
      o.data_ = o.inline_;
      o.cap_ = N;
    }
    o.size_ = 0;
  }

  T inline_[N];
  T* data_ = inline_;
  size_t size_ = 0;
  size_t cap_ = N;
};

using Shape = SmallVector<int64_t, 6>;

inline std::ostream& operator<<(std::ostream& os, IntArrayRef r) {
  os << '[';
  for (size_t i = 0; i < r.size(); ++i) os << (i ? ", " : "") << r[i];
  return os << ']';
}
template <size_t N>
std::ostream& operator<<(std::ostream& os, const SmallVector<int64_t, N>& v) {
  return os << IntArrayRef(v);
}

// Product of sizes; throws (RuntimeError) on a negative size or on overflow.
inline int64_t checked_numel(IntArrayRef sizes) {
  int64_t n = 1;
  for (int64_t s : sizes) {
    DG_CHECK(s >= 0, Error, "Trying to create tensor with negative dimension ", s, ": ", sizes);
    DG_CHECK(!__builtin_mul_overflow(n, s, &n), Error, "shape ", sizes,
             " has too many elements (the count overflows int64)");
  }
  return n;
}
inline int64_t checked_mul(int64_t a, int64_t b, const char* what) {
  int64_t r;
  DG_CHECK(!__builtin_mul_overflow(a, b, &r), Error, what, ": size overflows int64");
  return r;
}

// How many elements a layout with non-negative strides spans from its first
// element (the highest index reached + 1; 0 when empty). Throws on overflow.
inline int64_t checked_extent(IntArrayRef sizes, IntArrayRef strides) {
  if (checked_numel(sizes) == 0) return 0;
  int64_t extent = 1;
  for (size_t d = 0; d < sizes.size(); ++d) {
    int64_t step;
    DG_CHECK(!__builtin_mul_overflow(sizes[d] - 1, strides[d], &step) &&
                 !__builtin_add_overflow(extent, step, &extent),
             Error, "Storage size calculation overflowed with sizes=", sizes, " and strides=", strides);
  }
  return extent;
}

// Turns a possibly negative dim into [0, ndim); IndexError when out of range.
inline int64_t wrap_dim(int64_t dim, int64_t ndim) {
  int64_t n = ndim > 0 ? ndim : 1;  // 0-d tensors accept dim 0 and -1
  DG_CHECK(dim >= -n && dim < n, IndexError, "Dimension out of range (expected to be in range of [",
           -n, ", ", n - 1, "], but got ", dim, ")");
  return dim < 0 ? dim + n : dim;
}

// wrap_dim for reading sizes()[dim] or strides()[dim]: a 0-d tensor has no
// entry to read, so unlike wrap_dim it accepts no dim at all.
inline int64_t wrap_dim_of_sized(int64_t dim, int64_t ndim) {
  DG_CHECK(ndim > 0, IndexError, "Dimension specified as ", dim, " but tensor has no dimensions");
  return wrap_dim(dim, ndim);
}

// Row-major strides for sizes.
inline Shape contiguous_strides(IntArrayRef sizes) {
  Shape st(sizes.size());
  int64_t s = 1;
  for (size_t i = sizes.size(); i-- > 0;) {
    st[i] = s;
    s *= std::max<int64_t>(sizes[i], 1);
  }
  return st;
}

// NumPy broadcasting of two shapes; ValueError-free: throws Error like PyTorch
// (RuntimeError) naming both shapes.
DG_API Shape broadcast_shapes(IntArrayRef a, IntArrayRef b);

}  // namespace dg
