// Reference counting stored inside the object (one allocation per object,
// one atomic per copy), used for tensors, storages and autograd nodes.
#pragma once

#include <atomic>
#include <cstdint>
#include <utility>

namespace dg {

class Refcounted {
 public:
  Refcounted() = default;
  Refcounted(const Refcounted&) = delete;
  Refcounted& operator=(const Refcounted&) = delete;
  virtual ~Refcounted() = default;
  int64_t use_count() const { return refcount_.load(std::memory_order_relaxed); }

 protected:
  // Runs when the last reference goes. Autograd nodes override it to free
  // long chains of nodes without recursing once per node.
  virtual void destroy() { delete this; }

 private:
  template <class T> friend class intrusive_ptr;
  mutable std::atomic<int64_t> refcount_{0};
};

template <class T>
class intrusive_ptr {
 public:
  intrusive_ptr() = default;
  intrusive_ptr(std::nullptr_t) {}
  // Adopts p (a fresh object has refcount 0, so this takes a reference).
  explicit intrusive_ptr(T* p) : p_(p) { retain(); }
  intrusive_ptr(const intrusive_ptr& o) : p_(o.p_) { retain(); }
  intrusive_ptr(intrusive_ptr&& o) noexcept : p_(o.p_) { o.p_ = nullptr; }
  template <class U>
  intrusive_ptr(const intrusive_ptr<U>& o) : p_(o.get()) { retain(); }
  ~intrusive_ptr() { release(); }
  intrusive_ptr& operator=(const intrusive_ptr& o) {
    intrusive_ptr(o).swap(*this);
    return *this;
  }
  intrusive_ptr& operator=(intrusive_ptr&& o) noexcept {
    intrusive_ptr(std::move(o)).swap(*this);
    return *this;
  }
  void swap(intrusive_ptr& o) noexcept { std::swap(p_, o.p_); }
  void reset() { intrusive_ptr().swap(*this); }

  T* get() const { return p_; }
  T* operator->() const { return p_; }
  T& operator*() const { return *p_; }
  explicit operator bool() const { return p_ != nullptr; }
  bool operator==(const intrusive_ptr& o) const { return p_ == o.p_; }
  bool operator!=(const intrusive_ptr& o) const { return p_ != o.p_; }
  int64_t use_count() const { return p_ ? p_->use_count() : 0; }

 private:
  void retain() {
    if (p_) p_->refcount_.fetch_add(1, std::memory_order_relaxed);
  }
  void release() {
    // destroy() is called through the base class, which befriends us.
    if (p_ && p_->refcount_.fetch_sub(1, std::memory_order_acq_rel) == 1) static_cast<Refcounted*>(p_)->destroy();
    p_ = nullptr;
  }
  T* p_ = nullptr;
};

template <class T, class... Args>
intrusive_ptr<T> make_intrusive(Args&&... args) {
  return intrusive_ptr<T>(new T(std::forward<Args>(args)...));
}

}  // namespace dg
