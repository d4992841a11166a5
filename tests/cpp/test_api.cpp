// C++ unit tests of the embedding API through the public headers only: the
// loop engine with strided and broadcast operands, autograd on a small graph,
// the checkpoint format (round trips of every dtype, the bytes Python
// expects, corrupt files), nn modules and state dicts, and the optimizers.
//
// With DG_INTEROP_DIR set (tests/test_cpp.py does), it also writes
// cpp_tensors.safetensors there for Python to check, and checks the
// py_tensors.safetensors that Python wrote there: one tensor per dtype,
// named after it, holding sample(dtype).
#include <dyngraph/dyngraph.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "check.h"

using namespace dg;

static bool close(double a, double b, double tol = 1e-6) { return std::fabs(a - b) <= tol; }
static double value(const Tensor& t, std::initializer_list<int64_t> index) {
  Tensor v = t;
  for (int64_t i : index) v = v.select(0, i);
  return v.item<double>();
}
static bool same(const Tensor& a, const Tensor& b) { return a.dtype() == b.dtype() && equal(a, b); }
static double max_abs_diff(const Tensor& a, const Tensor& b) {
  return amax(abs(a.to(kFloat64) - b.to(kFloat64))).item<double>();
}
static bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// The interop sample: 0..5 as a (2, 3) tensor; bool: odd; complex: + 0.5i.
static Tensor sample(Dtype d) {
  Tensor base = arange(6).view({2, 3});
  if (d == kBool) return eq(remainder(base, 2), 1);
  Tensor t = base.to(d);
  if (is_complex(d)) t = add(t, Scalar(complex128_t(0, 0.5)));
  return t;
}
static const Dtype kAllDtypes[] = {kBool,    kUInt8,     kInt8,    kInt16,   kInt32,     kInt64,
                                   kFloat16, kBFloat16, kFloat32, kFloat64, kComplex64, kComplex128};

// A file's bytes: the 8-byte little-endian length, the header, the data.
static std::string safetensors_bytes(const std::string& header, const std::string& data) {
  std::string out;
  for (int i = 0; i < 8; ++i) out += static_cast<char>((header.size() >> (8 * i)) & 0xFF);
  return out + header + data;
}
// The message of the dg::Error that loading bytes raises ("" if none).
static std::string load_error(const std::string& bytes) {
  std::istringstream in(bytes);
  try {
    load(in);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

static std::shared_ptr<nn::Sequential> make_mlp() {
  return std::make_shared<nn::Sequential>(std::make_shared<nn::Linear>(4, 8), std::make_shared<nn::ReLU>(),
                                          std::make_shared<nn::Linear>(8, 3));
}

int main() {
  run_test("loop engine: broadcast and strided operands", [] {
    Tensor a = arange(6).to(kFloat64).view({2, 1, 3});
    Tensor b = arange(12).to(kFloat64).view({3, 4}).t();  // (4, 3), strides (1, 4)
    Tensor c = a + b;                                        // (2, 4, 3)
    CHECK(c.sizes().equals({2, 4, 3}));
    bool all_right = true;
    for (int64_t i = 0; i < 2; ++i)
      for (int64_t j = 0; j < 4; ++j)
        for (int64_t k = 0; k < 3; ++k) all_right &= close(value(c, {i, j, k}), (3 * i + k) + (4 * k + j));
    CHECK(all_right);
    Tensor r = 1.0 / (2.0 - a);  // scalars on the left
    CHECK(close(value(r, {0, 0, 1}), 1.0) && close(value(r, {1, 0, 2}), -1.0 / 3));
    Tensor f = arange(4).view({2, 2});
    f *= 3;  // in place on an int tensor, through a transposed view
    Tensor ft = f.t();
    ft += ones({2, 2}, kInt64);
    CHECK(value(f, {1, 0}) == 7 && f.dtype() == kInt64);
  });

  run_test("autograd: backward through a small graph", [] {
    Tensor x = arange(3).to(kFloat64);
    Tensor w = full({3}, 2.0, kFloat64);
    set_requires_grad(w, true);
    Tensor b = zeros({1}, kFloat64);
    set_requires_grad(b, true);
    Tensor z = w * w;                               // used twice: gradients add up
    Tensor loss = sum(square(x * w) + z + z * 3.0 + b);  // b broadcasts: its gradient is summed
    backward({loss});
    // d/dw = 2 x^2 w + 8 w = [16, 20, 32]; d/db = 3
    CHECK(close(value(grad(w), {0}), 16) && close(value(grad(w), {1}), 20) && close(value(grad(w), {2}), 32));
    CHECK(grad(b).sizes().equals({1}) && close(value(grad(b), {0}), 3));
    {
      NoGradGuard no_grad;
      CHECK(!requires_grad(w * 2.0));
    }
    CHECK(requires_grad(w * 2.0) && !is_leaf(w * 2.0));
  });

  run_test("autograd: the issue's fitting loop (free functions)", [] {
    manual_seed(0);
    Tensor x = randn({64, 1});
    Tensor w = zeros({1, 1});
    set_requires_grad(w, true);
    for (int i = 0; i < 100; ++i) {
      Tensor loss = mean(pow(matmul(x, w) - x * 3.0, 2));
      backward({loss});
      {
        NoGradGuard no_grad;
        w -= grad(w) * 0.1;
      }
      grad(w).zero_();
    }
    CHECK(close(w.item<float>(), 3.0, 1e-3));
  });

  run_test("checkpoint: every dtype round trips", [] {
    std::map<std::string, Tensor> tensors;
    for (Dtype d : kAllDtypes) tensors[dtype_name(d)] = sample(d);
    tensors["transposed"] = arange(6).to(kFloat32).view({2, 3}).t();  // stored as a contiguous copy
    tensors["scalar"] = scalar_tensor(2.5, kFloat64);
    tensors["empty"] = zeros({0, 3}, kInt16);
    std::stringstream buffer;
    save(tensors, buffer);
    std::map<std::string, Tensor> loaded = load(buffer);
    CHECK(loaded.size() == tensors.size());
    for (const auto& [name, t] : tensors) {
      bool ok = loaded.count(name) && same(loaded[name], t) && loaded[name].is_contiguous();
      if (!ok) std::printf("  mismatch for %s\n", name.c_str());
      CHECK(ok);
    }
    CHECK(loaded["scalar"].dim() == 0 && loaded["empty"].sizes().equals({0, 3}));
  });

  run_test("checkpoint: files on disk, and Module helpers", [] {
    std::string path = "test_api_checkpoint.safetensors";
    manual_seed(1);
    auto a = make_mlp();
    manual_seed(2);
    auto b = make_mlp();
    Tensor x = randn({5, 4});
    CHECK(max_abs_diff(a->forward(x), b->forward(x)) > 1e-3);
    Tensor b_weight = b->named_parameters()[0].second;
    save(*a, path);
    load(*b, path);
    CHECK(max_abs_diff(a->forward(x), b->forward(x)) == 0);
    CHECK(b->named_parameters()[0].second.is_same(b_weight));  // loaded in place
    std::remove(path.c_str());
    CHECK_THROWS(load("no/such/file.safetensors"), Error);
  });

  run_test("checkpoint: the bytes are the safetensors layout Python reads", [] {
    std::stringstream buffer;
    save({{"b", full({2}, 1.5, kFloat32)}, {"a", full({1}, 2.0, kFloat64)}, {"c", ones({3}, kUInt8)}}, buffer);
    std::string bytes = buffer.str();
    uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes[i]);
    CHECK(n % 8 == 0 && 8 + n + 8 + 8 + 3 == bytes.size());
    std::string header = bytes.substr(8, n);
    size_t end = header.find_last_not_of(' ') + 1;  // the rest is padding
    CHECK(header.substr(0, end) ==
          "{\"a\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]},"
          "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]},"
          "\"c\":{\"dtype\":\"U8\",\"shape\":[3],\"data_offsets\":[16,19]},"
          "\"__metadata__\":{\"format\":\"pt\"}}");
    double a;
    std::memcpy(&a, bytes.data() + 8 + n, 8);
    CHECK(a == 2.0);
  });

  run_test("checkpoint: corrupt files raise dg::Error", [] {
    std::stringstream buffer;
    save({{"w", ones({2, 2})}}, buffer);
    std::string good = buffer.str();
    CHECK(load_error(good).empty());
    CHECK(contains(load_error(good.substr(0, good.size() - 1)), "outside the 15-byte data section: truncated?"));
    CHECK(contains(load_error("abc"), "shorter than the 8-byte header length"));
    CHECK(contains(load_error(safetensors_bytes("{\"w\":", "")), "the header is not valid JSON"));
    CHECK(contains(load_error(std::string(8, '\xff')), "larger than the limit"));
    CHECK(contains(load_error(safetensors_bytes("[1, 2]", "")), "not a JSON object"));
    CHECK(contains(load_error(safetensors_bytes("{\"w\":{\"dtype\":\"F8\",\"shape\":[1],\"data_offsets\":[0,1]}}", "x")),
                   "which dyngraph has no dtype for"));
    CHECK(contains(load_error(safetensors_bytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}",
                                                "abcd")),
                   "needs 8 bytes, but its data_offsets span 4"));
    CHECK(contains(load_error(safetensors_bytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}",
                                                "abcd")),
                   "invalid shape"));
    CHECK(contains(load_error(safetensors_bytes("{\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},"
                                                "\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}",
                                                "a")),
                   "duplicate key"));
    CHECK(contains(load_error(safetensors_bytes("{\"w\":{\"dtype\":\"U8\",\"shape\":[1]}}", "a")),
                   "needs dtype, shape and data_offsets"));
    CHECK(contains(load_error(safetensors_bytes("{\"__metadata__\":{\"format\":1}}", "")), "map strings to strings"));
    CHECK(contains(load_error(safetensors_bytes("{\"a\":\"\xff\"}", "")), "not valid UTF-8"));
    CHECK(load_error(safetensors_bytes(std::string(100000, '[') + std::string(100000, ']'), "")).size() > 0);
    std::ostringstream sink;
    CHECK_THROWS(save({{"__metadata__", ones({1})}}, sink), ValueError);
    CHECK_THROWS(save({{"x", Tensor()}}, sink), ValueError);
  });

  run_test("checkpoint: files written by Python (state dict structure)", [] {
    // What dyngraph.save({"w": t, "tied": t}) writes: one tensor stored once,
    // named by the dict in the structure metadata.
    std::string structure =
        "{\\\"version\\\":1,\\\"root\\\":{\\\"dict\\\":[[\\\"w\\\",{\\\"tensor\\\":\\\"w\\\"}],"
        "[\\\"tied\\\",{\\\"tensor\\\":\\\"w\\\",\\\"requires_grad\\\":true}]]}}";
    std::string header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                         "\"__metadata__\":{\"format\":\"pt\",\"dyngraph\":\"" + structure + "\"}}";
    std::string data("\x00\x00\x80\x3f\x00\x00\x80\xbf", 8);  // 1.0f, -1.0f
    std::istringstream in(safetensors_bytes(header, data));
    auto loaded = load(in);
    CHECK(loaded.size() == 2 && loaded.count("w") && loaded.count("tied"));
    CHECK(loaded["w"].is_same(loaded["tied"]) && requires_grad(loaded["w"]));
    CHECK(value(loaded["w"], {0}) == 1 && value(loaded["w"], {1}) == -1);
    // A newer format version is refused, as Python refuses it.
    std::string newer = "{\"__metadata__\":{\"dyngraph\":\"{\\\"version\\\":9,\\\"root\\\":null}\"}}";
    CHECK(contains(load_error(safetensors_bytes(newer, "")), "written by a newer dyngraph"));
  });

  run_test("checkpoint: interop files with Python (DG_INTEROP_DIR)", [] {
    const char* dir = std::getenv("DG_INTEROP_DIR");
    if (!dir) {
      std::printf("  (DG_INTEROP_DIR not set: nothing to exchange)\n");
      return;
    }
    std::map<std::string, Tensor> tensors;
    for (Dtype d : kAllDtypes) tensors[dtype_name(d)] = sample(d);
    save(tensors, std::string(dir) + "/cpp_tensors.safetensors");
    std::string from_python = std::string(dir) + "/py_tensors.safetensors";
    if (!std::ifstream(from_python)) return;
    auto loaded = load(from_python);
    for (Dtype d : kAllDtypes) {
      bool ok = loaded.count(dtype_name(d)) && same(loaded[dtype_name(d)], sample(d));
      if (!ok) std::printf("  Python's %s tensor differs\n", dtype_name(d));
      CHECK(ok);
    }
  });

  run_test("nn: parameter names, shapes and initialization", [] {
    auto model = make_mlp();
    auto named = model->named_parameters();
    CHECK(named.size() == 4 && named[0].first == "0.weight" && named[1].first == "0.bias" &&
          named[2].first == "2.weight" && named[3].first == "2.bias");
    CHECK(named[0].second.sizes().equals({8, 4}) && named[3].second.sizes().equals({3}));
    for (const auto& [name, p] : named) CHECK(requires_grad(p) && is_leaf(p));
    // U(-1/sqrt(in), 1/sqrt(in)) for the weight and the bias
    CHECK(amax(abs(named[0].second)).item<double>() <= 0.5 && amax(abs(named[0].second)).item<double>() > 0.1);
    CHECK(amax(abs(named[2].second)).item<double>() <= 1 / std::sqrt(8.0));
    auto sd = model->state_dict();
    CHECK(sd.size() == 4 && sd.count("2.bias") && !requires_grad(sd["2.bias"]));
    CHECK(model->forward(zeros({5, 4})).sizes().equals({5, 3}));
    CHECK((*model)(zeros({4})).sizes().equals({3}));            // 1-D input
    CHECK(model->forward(zeros({2, 5, 4})).sizes().equals({2, 5, 3}));  // batch dims
    nn::Linear no_bias(3, 2, false);
    CHECK(no_bias.parameters().size() == 1 && !no_bias.bias.defined());
    CHECK(no_bias.forward(ones({3})).sizes().equals({2}));
    // The same seed gives the same numbers (as in Python, whose Linear draws the same way).
    manual_seed(5);
    nn::Linear l1(4, 8);
    manual_seed(5);
    nn::Linear l2(4, 8);
    CHECK(same(l1.weight, l2.weight) && same(l1.bias, l2.bias));
  });

  run_test("nn: Conv2d, Flatten and activations", [] {
    nn::Conv2d conv(1, 1, 2);
    {
      NoGradGuard no_grad;
      conv.weight.fill_(1.0);
      conv.bias.zero_();
    }
    Tensor image = arange(9).to(kFloat32).view({1, 1, 3, 3});
    Tensor y = conv.forward(image);  // sums of 2x2 windows
    CHECK(y.sizes().equals({1, 1, 2, 2}));
    CHECK(close(value(y, {0, 0, 0, 0}), 8) && close(value(y, {0, 0, 0, 1}), 12) && close(value(y, {0, 0, 1, 1}), 24));
    nn::Conv2d strided(3, 4, 3, /*stride=*/2, /*padding=*/1);
    CHECK(strided.forward(zeros({2, 3, 5, 5})).sizes().equals({2, 4, 3, 3}));
    CHECK(strided.weight.sizes().equals({4, 3, 3, 3}));
    CHECK(amax(abs(strided.weight)).item<double>() <= 1 / std::sqrt(27.0));
    CHECK(nn::Flatten().forward(zeros({2, 3, 4})).sizes().equals({2, 12}));
    Tensor x = linspace(-2, 2, 5);
    CHECK(close(value(nn::ReLU().forward(x), {0}), 0) && close(value(nn::ReLU().forward(x), {4}), 2));
    CHECK(close(value(nn::Tanh().forward(x), {3}), std::tanh(1.0)));
    CHECK(close(value(nn::Sigmoid().forward(x), {2}), 0.5));
    CHECK(close(value(nn::GELU().forward(x), {3}), 0.5 * (1 + std::erf(1 / std::sqrt(2.0)))));
    CHECK(close(value(nn::GELU("tanh").forward(x), {3}), 0.8411920, 1e-6));
    CHECK_THROWS(nn::GELU("fast"), ValueError);
  });

  run_test("ops: interpolate and adaptive_avg_pool from C++", [] {
    Tensor image = arange(4).to(kFloat64).view({1, 1, 2, 2});  // [[0, 1], [2, 3]]
    Tensor up = interpolate(image, {3, 3}, "bilinear", /*align_corners=*/true);
    CHECK(up.sizes().equals({1, 1, 3, 3}));
    CHECK(close(value(up, {0, 0, 1, 1}), 1.5) && close(value(up, {0, 0, 2, 1}), 2.5));
    Tensor nearest = interpolate(image, {4, 4}, "nearest");
    CHECK(close(value(nearest, {0, 0, 3, 0}), 2) && close(value(nearest, {0, 0, 1, 3}), 1));
    CHECK(close(value(adaptive_avg_pool(image, {1, 1}), {0, 0, 0, 0}), 1.5));
    CHECK(close(value(avg_pool(image, {2}, {1}, {1}), {0, 0, 1, 1}), 1.5));  // count_include_pad: 6 / 4
    CHECK(close(value(avg_pool(image, {2}, {1}, {1}, false, false), {0, 0, 0, 1}), 0.5));  // (0 + 1) / 2
    Tensor x = ones({1, 1, 2, 2}, TensorOptions(kFloat64));
    x.requires_grad_();
    sum(interpolate(x, {4, 4}, "bilinear")).backward();  // each input spreads weight 4 over the output
    CHECK(close(value(x.grad(), {0, 0, 1, 0}), 4));
    CHECK_THROWS(interpolate(image, {3, 3}, "cubic-spline"), ValueError);
    // grid_sample at the center and two corners (x, y in [-1, 1]; corners on pixel centers).
    Tensor grid = zeros({1, 1, 3, 2}, TensorOptions(kFloat64));
    {
      NoGradGuard no_grad;
      grid.select(2, 1).fill_(-1.0);
      grid.select(2, 2).fill_(1.0);
    }
    Tensor sampled = grid_sample(image, grid, "bilinear", "zeros", /*align_corners=*/true);
    CHECK(sampled.sizes().equals({1, 1, 1, 3}));
    CHECK(close(value(sampled, {0, 0, 0, 0}), 1.5) && close(value(sampled, {0, 0, 0, 1}), 0) &&
          close(value(sampled, {0, 0, 0, 2}), 3));
    CHECK_THROWS(grid_sample(image, grid, "bilinear", "mirror"), ValueError);
    CHECK_THROWS(interpolate(image, {3}, "bilinear"), Error);
  });

  run_test("autocast: a Guard runs the products and convolutions in bfloat16", [] {
    Tensor a = ones({2, 3}), w = ones({4, 3});
    {
      autocast::Guard region(DeviceType::CPU);
      CHECK(autocast::is_enabled(DeviceType::CPU) && autocast::get_dtype(DeviceType::CPU) == kBFloat16);
      CHECK(matmul(a, w.t()).dtype() == kBFloat16 && linear(a, w).dtype() == kBFloat16);
      CHECK(close(value(linear(a, w), {1, 2}), 3));
      CHECK(convolution(ones({1, 1, 3, 3}), ones({1, 1, 2, 2}), std::nullopt, {1}, {0}, {1}, false, {0}, 1).dtype() ==
            kBFloat16);
      CHECK(matmul(a.to(kFloat64), w.to(kFloat64).t()).dtype() == kFloat64);  // float64 is never cast
      {
        autocast::Guard off(DeviceType::CPU, std::nullopt, /*enabled=*/false);
        CHECK(matmul(a, w.t()).dtype() == kFloat32);
      }
    }
    CHECK(!autocast::is_enabled(DeviceType::CPU) && matmul(a, w.t()).dtype() == kFloat32);
  });

  run_test("ops: max, adaptive max and fractional max pooling from C++", [] {
    Tensor image = arange(16).to(kFloat64).view({1, 1, 4, 4});
    auto [values, indices] = max_pool(image, {2}, {}, {0}, {1}, false);
    CHECK(close(value(values, {0, 0, 1, 0}), 13) && value(indices, {0, 0, 0, 1}) == 7);
    CHECK(close(value(adaptive_max_pool(image, {1, 3}).first, {0, 0, 0, 1}), 14));
    // Samples of 0 put the two windows of 2 at 0 and 2 on each axis: the same as max_pool(2).
    Tensor samples = zeros({1, 1, 2}, TensorOptions(kFloat64));
    auto [fvalues, findices] = fractional_max_pool(image, {2}, {2}, samples);
    CHECK(close(value(fvalues, {0, 0, 1, 1}), 15) && value(findices, {0, 0, 1, 0}) == 13);
    CHECK_THROWS(fractional_max_pool(image, {2}, {4}, samples), Error);  // 4 windows of 2 do not fit in 4
  });

  run_test("ops: recurrent_layer from C++", [] {
    // A GRU of one unit with zero weights: r = z = 1/2, n = tanh(0) = 0, so h_t = h_{t-1} / 2.
    TensorOptions f64(kFloat64);
    Tensor x = ones({3, 1, 2}, f64), h0 = full({1, 1}, 8.0, f64);
    Tensor w_ih = zeros({3, 2}, f64), w_hh = zeros({3, 1}, f64);
    std::vector<Tensor> gru = recurrent_layer("GRU", x, h0, Tensor(), w_ih, w_hh);
    CHECK(gru.size() == 2 && gru[0].sizes().equals({3, 1, 1}));
    CHECK(close(value(gru[0], {0, 0, 0}), 4) && close(value(gru[0], {2, 0, 0}), 1) && close(value(gru[1], {0, 0}), 1));
    // An LSTM step, reversed, with gradients: every gate pre-activation is 0, so c = c0 / 2, h = tanh(c) / 2.
    Tensor c0 = full({1, 1}, 2.0, f64);
    Tensor w = zeros({4, 1}, f64);
    w.requires_grad_();
    std::vector<Tensor> lstm = recurrent_layer("LSTM", ones({1, 1, 1}, f64), zeros({1, 1}, f64), c0, w,
                                               zeros({4, 1}, f64), Tensor(), Tensor(), Tensor(), /*reverse=*/true);
    CHECK(lstm.size() == 3 && close(value(lstm[2], {0, 0}), 1) && close(value(lstm[1], {0, 0}), std::tanh(1.0) / 2));
    sum(lstm[1]).backward();
    CHECK(w.grad().defined() && w.grad().sizes().equals({4, 1}));
    CHECK_THROWS(recurrent_layer("LSTM", x, h0, Tensor(), w_ih, w_hh), Error);  // no cell state
    CHECK_THROWS(recurrent_layer("SRU", x, h0, Tensor(), w_ih, w_hh), ValueError);
  });

  run_test("nn: registration, modes, zero_grad, errors", [] {
    auto model = make_mlp();
    CHECK(model->is_training());
    model->eval();
    CHECK(!model->is_training() && !(*model)[0]->is_training());
    model->train();
    CHECK((*model)[2]->is_training());
    CHECK(model->at<nn::Linear>(2)->in_features == 8);
    CHECK_THROWS(model->at<nn::Linear>(1), TypeError);
    CHECK_THROWS((*model)[3], IndexError);
    nn::Module custom("Custom");
    custom.register_parameter("w", ones({2}));
    CHECK_THROWS(custom.register_parameter("w", ones({2})), ValueError);
    CHECK_THROWS(custom.register_buffer("a.b", ones({2})), ValueError);
    custom.register_buffer("count", zeros({1}, kInt64));
    custom.register_module("child", std::make_shared<nn::Linear>(2, 2));
    CHECK(custom.named_parameters().size() == 3 && custom.named_parameters()[1].first == "child.weight");
    CHECK(custom.named_parameters(/*recurse=*/false).size() == 1);
    CHECK(custom.state_dict().count("count") && custom.buffers().size() == 1);
    CHECK_THROWS(custom.forward(ones({2})), Error);  // no forward: as Python's NotImplementedError
    nn::Module tied("Tied");  // one layer under two names: listed once, saved under both
    auto shared = std::make_shared<nn::Linear>(2, 2);
    tied.register_module("a", shared);
    tied.register_module("b", shared);
    CHECK(tied.parameters().size() == 2 && tied.state_dict().size() == 4 && tied.state_dict().count("b.bias"));

    Tensor loss = sum(model->forward(ones({2, 4})));
    backward({loss});
    CHECK(grad(model->parameters()[0]).defined());
    model->zero_grad(/*set_to_none=*/false);
    CHECK(grad(model->parameters()[0]).defined() && amax(abs(grad(model->parameters()[0]))).item<double>() == 0);
    model->zero_grad();
    CHECK(!grad(model->parameters()[0]).defined());
  });

  run_test("nn: load_state_dict checks keys and shapes", [] {
    auto model = make_mlp();
    auto sd = model->state_dict();
    auto missing = sd;
    missing.erase("2.bias");
    try {
      model->load_state_dict(missing);
      CHECK(false);
    } catch (const Error& e) {
      CHECK(contains(e.what(), "Error(s) in loading state_dict for Sequential:"));
      CHECK(contains(e.what(), "Missing key(s) in state_dict: \"2.bias\"."));
    }
    auto extra = sd;
    extra["input"] = ones({1});
    try {
      model->load_state_dict(extra);
      CHECK(false);
    } catch (const Error& e) {
      CHECK(contains(e.what(), "Unexpected key(s) in state_dict: \"input\"."));
    }
    auto result = model->load_state_dict(extra, /*strict=*/false);
    CHECK(result.unexpected_keys == std::vector<std::string>{"input"} && result.missing_keys.empty());
    auto wrong = sd;
    wrong["0.weight"] = ones({8, 5});
    try {
      model->load_state_dict(wrong, /*strict=*/false);
      CHECK(false);
    } catch (const Error& e) {
      CHECK(contains(e.what(), "size mismatch for 0.weight: copying a param with shape [8, 5] from checkpoint, "
                               "the shape in current model is [8, 4]."));
    }
    auto doubles = sd;
    doubles["0.bias"] = full({8}, 0.25, kFloat64);  // converted to the parameter's dtype
    model->load_state_dict(doubles);
    CHECK(model->parameters()[1].dtype() == kFloat32 && close(value(model->parameters()[1], {7}), 0.25));
  });

  run_test("nn ops: group norm and a segmentation loss", [] {
    manual_seed(0);
    Tensor x = randn({2, 4, 3, 3}).to(kFloat64);
    Tensor y = group_norm(x, 2, ones({4}, kFloat64) * 2.0, zeros({4}, kFloat64));
    // Each group of 2 channels x 9 positions: mean 0 and (biased) variance 4 after the weight of 2.
    Tensor groups = y.view({2, 2, 18});
    CHECK(max_abs_diff(mean(groups, {2}), zeros({2, 2}, kFloat64)) < 1e-12);
    CHECK(max_abs_diff(var(groups, {2}, 0.0), full({2, 2}, 4.0, kFloat64)) < 1e-4);
    Tensor logits = randn({2, 5, 3, 3}).to(kFloat64);
    set_requires_grad(logits, true);
    Tensor target = full({2, 3, 3}, 4, kInt64);
    Tensor loss = cross_entropy(logits, target);
    Tensor by_hand = nll_loss(log_softmax(logits, 1), target, std::nullopt, "none");
    CHECK(close(loss.item<double>(), mean(by_hand).item<double>(), 1e-12));
    backward({loss});
    CHECK(grad(logits).sizes().equals({2, 5, 3, 3}));
    CHECK(close(sum(grad(logits)).item<double>(), 0, 1e-12));  // softmax rows minus one-hots
    target = full({2, 3, 3}, 5, kInt64);
    CHECK_THROWS(cross_entropy(logits, target), IndexError);
    // CTC with one step and the empty target: the only alignment is the blank.
    Tensor lp = log_softmax(randn({1, 1, 3}).to(kFloat64), 2);
    Tensor ctc = ctc_loss(lp, zeros({1, 0}, kInt64), {1}, {0}, 0, "sum");
    CHECK(close(ctc.item<double>(), -value(lp, {0, 0, 0}), 1e-12));
    CHECK_THROWS(ctc_loss(lp, full({1, 1}, 3, kInt64), {1}, {1}), IndexError);
    // embedding_bag: bags {0, 1} and {2} of a 3 x 2 weight, averaged.
    Tensor table = arange(0, 6).to(kFloat64).view({3, 2});
    Tensor bags = embedding_bag(table, arange(0, 3), arange(0, 4, 2));
    CHECK(bags.sizes().equals({2, 2}) && close(value(bags, {0, 1}), 2) && close(value(bags, {1, 0}), 4));
    CHECK_THROWS(embedding_bag(table, arange(1, 4), arange(0, 4, 2)), Error);  // index 3 of 3 rows
  });

  run_test("optim: SGD follows its update rule", [] {
    Tensor p = arange(1, 4).to(kFloat64);
    set_requires_grad(p, true);
    optim::SGD plain({p}, optim::SGDOptions(0.1));
    backward({sum(p * p)});  // grad = 2p
    plain.step();
    CHECK(close(value(p, {0}), 0.8) && close(value(p, {2}), 2.4));
    CHECK(!plain.momentum_buffers()[0].defined());

    Tensor q = arange(1, 4).to(kFloat64);
    set_requires_grad(q, true);
    Tensor unused = ones({2});
    set_requires_grad(unused, true);
    optim::SGD momentum({q, unused}, optim::SGDOptions(0.1).momentum(0.9));
    double q0 = 1, buf = 0;
    for (int i = 0; i < 2; ++i) {
      momentum.zero_grad();
      backward({sum(q * q)});
      momentum.step();
      buf = i == 0 ? 2 * q0 : 0.9 * buf + 2 * q0;  // the first buffer is the gradient
      q0 -= 0.1 * buf;
    }
    CHECK(close(value(q, {0}), q0) && close(value(momentum.momentum_buffers()[0], {0}), buf));
    CHECK(!momentum.momentum_buffers()[1].defined() && close(value(unused, {0}), 1));  // no grad: untouched
  });

  run_test("optim: Adam and AdamW first steps", [] {
    Tensor p = full({2}, 1.0, kFloat64);
    set_requires_grad(p, true);
    optim::Adam adam({p}, optim::AdamOptions(0.1));
    backward({sum(p * 3.0)});  // grad = 3
    adam.step();
    // m = 0.1 g, v = 0.001 g^2; bias-corrected: p -= lr * g / (|g| + eps)
    CHECK(close(value(p, {0}), 1 - 0.1 * 3 / (3 + 1e-8), 1e-9));
    CHECK(close(adam.state()[0].step.item<double>(), 1) && close(value(adam.state()[0].exp_avg, {1}), 0.3));

    Tensor w = full({2}, 1.0, kFloat64);
    set_requires_grad(w, true);
    optim::AdamW adamw({w}, optim::AdamWOptions(0.1).weight_decay(0.5));
    backward({sum(w * 3.0)});
    adamw.step();
    CHECK(close(value(w, {1}), 1 * (1 - 0.1 * 0.5) - 0.1 * 3 / (3 + 1e-8), 1e-9));
    adamw.options().lr(0.0);  // options can change between steps
    adamw.options().weight_decay(0.0);
    adamw.step();
    CHECK(close(value(w, {1}), 1 * (1 - 0.1 * 0.5) - 0.1 * 3 / (3 + 1e-8), 1e-9));
    CHECK(close(adamw.state()[0].step.item<double>(), 2));
  });

  run_test("optim: invalid options raise ValueError", [] {
    Tensor p = ones({2});
    set_requires_grad(p, true);
    CHECK_THROWS(optim::SGD({p}, optim::SGDOptions(-1)), ValueError);
    CHECK_THROWS(optim::SGD({p}, optim::SGDOptions(0.1).nesterov(true)), ValueError);
    CHECK_THROWS(optim::Adam({p}, optim::AdamOptions().betas({1.0, 0.999})), ValueError);
    CHECK_THROWS(optim::AdamW({p}, optim::AdamWOptions().eps(-1)), ValueError);
    CHECK_THROWS(optim::Adam(std::vector<Tensor>{}), ValueError);
    CHECK_THROWS(optim::Adam({p * 2.0}), ValueError);  // not a leaf
  });

  run_test("optim: an MLP's loss goes down", [] {
    manual_seed(0);
    auto model = std::make_shared<nn::Sequential>(std::make_shared<nn::Linear>(1, 16), std::make_shared<nn::Tanh>(),
                                                  std::make_shared<nn::Linear>(16, 1));
    optim::Adam optimizer(model->parameters(), optim::AdamOptions(1e-2));
    Tensor x = linspace(-3, 3, 64).view({64, 1});
    Tensor y = sin(x);
    double first = 0, last = 0;
    for (int step = 0; step < 300; ++step) {
      optimizer.zero_grad();
      Tensor loss = mean(square(model->forward(x) - y));
      backward({loss});
      optimizer.step();
      (step == 0 ? first : last) = loss.item<double>();
    }
    std::printf("  loss %.4f -> %.4f\n", first, last);
    CHECK(last < 0.1 * first);
  });

  return report();
}
