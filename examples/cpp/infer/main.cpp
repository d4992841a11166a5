// Runs a model trained in Python. The checkpoint holds the state dict of
//   model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
// plus the input to run it on, as Python writes it:
//   state = model.state_dict(); state["input"] = x   # x of shape (N, 4)
//   dyngraph.save(state, "checkpoint.safetensors")
//
//   infer checkpoint.safetensors
//
// loads it into the same architecture built in C++ and prints model(input),
// one value per line in row-major order with 17 significant digits, so the
// numbers can be compared exactly with Python's.
#include <dyngraph/dyngraph.h>

#include <cstdio>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CHECKPOINT\n", argv[0]);
    return 2;
  }
  try {
    auto model = std::make_shared<dg::nn::Sequential>(std::make_shared<dg::nn::Linear>(4, 8),
                                                      std::make_shared<dg::nn::ReLU>(),
                                                      std::make_shared<dg::nn::Linear>(8, 3));

    std::map<std::string, dg::Tensor> tensors = dg::load(argv[1]);
    auto input = tensors.find("input");
    if (input == tensors.end()) {
      std::fprintf(stderr, "error: %s has no tensor named \"input\"\n", argv[1]);
      return 1;
    }
    dg::Tensor x = input->second;
    tensors.erase(input);
    model->load_state_dict(tensors);  // strict: every parameter must be there, and nothing else
    model->eval();

    dg::NoGradGuard no_grad;
    dg::Tensor output = model->forward(x).to(dg::kFloat64).contiguous();
    const double* values = output.data_ptr<double>();
    for (int64_t i = 0; i < output.numel(); ++i) std::printf("%.17g\n", values[i]);
  } catch (const dg::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
