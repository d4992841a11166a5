// Trains a small MLP in C++ and saves a checkpoint that Python can load.
//
//   train_mlp model.safetensors
//
// The network, Sequential(Linear(2, 32), ReLU, Linear(32, 1)), learns
// y = sin(2 x0) cos(x1) from 256 random points in [-2, 2]^2 with Adam. The
// program prints the loss as it goes down, saves the state dict, then prints
// the model's predictions on a fixed input, one per line ("prediction V"),
// which Python reproduces with
//   model = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 1))
//   model.load_state_dict(dyngraph.load("model.safetensors"))
//   model(dyngraph.linspace(-1, 1, 8).reshape(4, 2))
#include <dyngraph/dyngraph.h>

#include <cstdio>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CHECKPOINT\n", argv[0]);
    return 2;
  }
  try {
    dg::manual_seed(0);
    auto model = std::make_shared<dg::nn::Sequential>(std::make_shared<dg::nn::Linear>(2, 32),
                                                      std::make_shared<dg::nn::ReLU>(),
                                                      std::make_shared<dg::nn::Linear>(32, 1));

    dg::Tensor x = dg::rand({256, 2}) * 4.0 - 2.0;
    dg::Tensor y = (dg::sin(x.select(1, 0) * 2.0) * dg::cos(x.select(1, 1))).unsqueeze(1);

    dg::optim::Adam optimizer(model->parameters(), dg::optim::AdamOptions(1e-2));
    for (int step = 0; step <= 500; ++step) {
      optimizer.zero_grad();
      dg::Tensor loss = dg::mean(dg::square(model->forward(x) - y));
      dg::backward({loss});
      optimizer.step();
      if (step % 50 == 0) std::printf("step %d loss %.6f\n", step, loss.item<double>());
    }

    dg::save(*model, argv[1]);
    std::printf("saved %s\n", argv[1]);

    model->eval();
    dg::NoGradGuard no_grad;
    dg::Tensor input = dg::linspace(-1, 1, 8).view({4, 2});
    dg::Tensor output = model->forward(input).to(dg::kFloat64).contiguous();
    const double* values = output.data_ptr<double>();
    for (int64_t i = 0; i < output.numel(); ++i) std::printf("prediction %.17g\n", values[i]);
  } catch (const dg::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
