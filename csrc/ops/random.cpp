// Random ops. Each reserves a block of Philox counters from its generator
// and hands (seed, first counter) to the kernel, which writes a dense
// output; a non-contiguous target gets the numbers through a copy.
#include <algorithm>

#include "autograd/record.h"
#include "core/dispatch.h"
#include "core/tensor_iter.h"
#include "dyngraph/ops.h"
#include "kernels/philox.h"

namespace dg {

Generator& default_generator() {
  static Generator* g = new Generator();
  return *g;
}
void manual_seed(uint64_t seed) { default_generator().manual_seed(seed); }

namespace {
Generator& gen_or_default(Generator* g) { return g ? *g : default_generator(); }

// Runs a random kernel into t (dense or not). `p` is an optional input.
void run_random(Tensor& t, RandomOp op, Generator* gen, double a, double b, const Tensor* p = nullptr) {
  bool grad = any_requires_grad({&t});
  if (grad) check_inplace(t);
  if (t.numel() == 0) return;
  NoGradGuard no_grad;
  Tensor target = t.is_contiguous() ? t : empty(t.sizes(), TensorOptions(t.dtype()).device(t.device()));
  Tensor pc;
  IterSpec spec;
  spec.out = target;
  spec.out_dtype = target.dtype();
  spec.op_name = "random";
  if (p) {
    pc = contiguous(to_dtype(*p, target.dtype()));
    spec.add_input(pc);
  }
  TensorIter it = make_iter(spec);
  uint64_t offset = gen_or_default(gen).reserve(static_cast<uint64_t>(t.numel()));
  uint64_t seed = gen_or_default(gen).initial_seed();
  checked_kernel(kernel_table(t.device().type).random[static_cast<int>(op)], "random", t.device())(it, seed, offset,
                                                                                                   a, b);
  if (!target.is_same(t)) copy_(t, target);
  if (grad) {
    AutoGradMode enable(true);
    mark_overwritten(t, "RandomBackward0");
  }
}

// Named after PyTorch's kernels, whose messages these are.
void check_floating(Dtype d, const char* kernel) {
  DG_CHECK(is_floating_point(d), NotImplementedError, "\"", kernel, "\" not implemented for '", dtype_name(d), "'");
}
}  // namespace

Tensor& uniform_(Tensor& t, double from, double to, Generator* gen) {
  check_floating(t.dtype(), "check_uniform_bounds");
  DG_CHECK(from <= to, Error, "uniform_ expects to return a [from, to) range, but found from=", from, " > to=", to);
  run_random(t, RandomOp::uniform, gen, from, to);
  return t;
}

Tensor& normal_(Tensor& t, double mean, double std, Generator* gen) {
  check_floating(t.dtype(), "normal_kernel_cpu");
  DG_CHECK(std >= 0, Error, "normal expects std >= 0.0, but found std ", std);
  run_random(t, RandomOp::normal, gen, mean, std);
  return t;
}

Tensor rand(IntArrayRef shape, TensorOptions options, Generator* gen) {
  Tensor t = empty(shape, options);
  return uniform_(t, 0, 1, gen);
}

Tensor randn(IntArrayRef shape, TensorOptions options, Generator* gen) {
  Tensor t = empty(shape, options);
  return normal_(t, 0, 1, gen);
}

Tensor randint(int64_t low, int64_t high, IntArrayRef shape, TensorOptions options, Generator* gen) {
  DG_CHECK(low < high, Error, "random_ expects 'from' to be less than 'to', but got from=", low, " >= to=", high);
  Tensor t = empty(shape, options.dtype(options.dtype_or(kInt64)));
  DG_CHECK(!is_complex(t.dtype()), TypeError, "randint: unsupported dtype ", dtype_name(t.dtype()));
  run_random(t, RandomOp::randint, gen, static_cast<double>(low), static_cast<double>(high));
  return t;
}

Tensor randperm(int64_t n, TensorOptions options, Generator* gen) {
  DG_CHECK(n >= 0, Error, "n must be non-negative, got", n);
  Dtype dtype = options.dtype_or(kInt64);
  Tensor idx = arange(0, n, 1, TensorOptions(kInt64));
  int64_t* p = idx.data_ptr<int64_t>();
  // Fisher-Yates, drawing swap positions from the generator's stream.
  Generator& g = gen_or_default(gen);
  uint64_t offset = g.reserve(static_cast<uint64_t>(n)), seed = g.initial_seed();
  for (int64_t i = n - 1; i > 0; --i) {
    Philox4 r = philox4x32(offset + static_cast<uint64_t>(i), seed);
    uint64_t bits = static_cast<uint64_t>(r.v[0]) << 32 | r.v[1];
    std::swap(p[i], p[static_cast<int64_t>(bits % static_cast<uint64_t>(i + 1))]);
  }
  Tensor out = to_dtype(idx, dtype);
  return options.device_.is_cpu() ? out : to_device(out, options.device_);
}

Tensor bernoulli(const Tensor& p, Generator* gen) {
  check_floating(p.dtype(), "bernoulli_tensor_cpu_p_");
  {
    NoGradGuard no_grad;
    int64_t bad = sum(lt(p, 0)).item<int64_t>() + sum(gt(p, 1)).item<int64_t>();
    DG_CHECK(bad == 0, Error, "bernoulli: expected all probabilities to be in [0, 1]");
  }
  Tensor out = empty(p.sizes(), TensorOptions(p.dtype()).device(p.device()));
  run_random(out, RandomOp::bernoulli_tensor, gen, 0, 0, &p);
  return out;
}

Tensor& bernoulli_(Tensor& t, double p, Generator* gen) {
  DG_CHECK(p >= 0 && p <= 1, Error, "bernoulli_ expects p to be in [0, 1], but got p=", p);
  DG_CHECK(!is_complex(t.dtype()), TypeError, "bernoulli_: unsupported dtype ", dtype_name(t.dtype()));
  run_random(t, RandomOp::bernoulli_scalar, gen, p, 0);
  return t;
}

}  // namespace dg
