"""Benchmark cases of the nn kernels (conv, pooling, norms, losses) and of
whole training steps, dyngraph against PyTorch, on the shapes the issues name."""

import importlib

from harness import Case


def _lib(name):
    return importlib.import_module(name)


def _nn_case(make_inputs, fn, backward=False):
    """fn(F, *inputs); with backward, also backpropagates the sum of the output."""
    def with_lib(lib):
        def setup():
            mod = _lib(lib)
            inputs = make_inputs(mod)
            F = mod.nn.functional

            def run():
                out = fn(F, *inputs)
                if backward:
                    out.sum().backward()
            return run
        return setup
    return {lib: with_lib(lib) for lib in ("dyngraph", "torch")}


def _conv_inputs(mod, grad=False):
    x = mod.randn(32, 3, 32, 32, requires_grad=grad)
    w = mod.randn(32, 3, 3, 3, requires_grad=grad)
    b = mod.randn(32, requires_grad=grad)
    return x, w, b


def _conv(F, x, w, b):
    return F.conv2d(x, w, b, padding=1)


def _class_inputs(mod):
    return mod.randn(256, 1000, requires_grad=True), mod.randint(0, 1000, (256,))


NN_CASES = [
    Case("conv2d fwd (32,3,32,32) 3->32 3x3", _nn_case(_conv_inputs, _conv), target=1.0),
    Case("conv2d fwd+bwd (32,3,32,32) 3->32", _nn_case(lambda m: _conv_inputs(m, True), _conv, True), target=1.0),
    Case("max_pool2d 2x2 (32,32,32,32)", _nn_case(lambda m: (m.randn(32, 32, 32, 32),),
                                                  lambda F, x: F.max_pool2d(x, 2)), target=1.3),
    Case("batch_norm train (32,32,32,32)", _nn_case(
        lambda m: (m.randn(32, 32, 32, 32), m.zeros(32), m.ones(32), m.ones(32), m.zeros(32)),
        lambda F, x, rm, rv, w, b: F.batch_norm(x, rm, rv, w, b, True)), target=1.3),
    Case("layer_norm (64,128,512)", _nn_case(lambda m: (m.randn(64, 128, 512), m.ones(512), m.zeros(512)),
                                             lambda F, x, w, b: F.layer_norm(x, (512,), w, b)), target=1.3),
    Case("cross_entropy fwd+bwd (256,1000)", _nn_case(_class_inputs, lambda F, x, t: F.cross_entropy(x, t), True),
         target=1.3),
]


def _affine_image(grad):
    return lambda m: (m.randn(16, 64, 32, 32, requires_grad=grad), m.ones(64, requires_grad=grad),
                      m.zeros(64, requires_grad=grad))


def _segmentation(m):
    return m.randn(8, 21, 64, 64, requires_grad=True), m.randint(0, 21, (8, 64, 64))


def _ctc_inputs(m):
    m.manual_seed(0)
    return m.randn(50, 16, 20).log_softmax(2).detach().requires_grad_(), m.randint(1, 20, (16, 20))


def _ctc(F, log_probs, targets):
    return F.ctc_loss(log_probs, targets, [50] * 16, [20] * 16)


def _bag_inputs(m):
    m.manual_seed(0)
    return m.randint(0, 10000, (4096,)), m.arange(0, 4096, 16), m.randn(10000, 64, requires_grad=True)


def _bag(F, indices, offsets, weight):
    return F.embedding_bag(indices, weight, offsets, mode="mean")


# The normalisation and loss cases of #21 (row norms on one kernel, class losses of any shape).
NORM_LOSS_CASES = [
    Case("group_norm 8 groups (16,64,32,32)", _nn_case(_affine_image(False), lambda F, x, w, b: F.group_norm(x, 8, w, b)),
         target=1.0),
    Case("group_norm fwd+bwd (16,64,32,32)",
         _nn_case(_affine_image(True), lambda F, x, w, b: F.group_norm(x, 8, w, b), True), target=1.0),
    Case("instance_norm affine fwd+bwd (16,64,32,32)",
         _nn_case(_affine_image(True), lambda F, x, w, b: F.instance_norm(x, weight=w, bias=b), True), target=1.0),
    Case("layer_norm fwd+bwd (64,128,512)",
         _nn_case(lambda m: (m.randn(64, 128, 512, requires_grad=True), m.ones(512, requires_grad=True),
                             m.zeros(512, requires_grad=True)),
                  lambda F, x, w, b: F.layer_norm(x, (512,), w, b), True), target=1.0),
    Case("rms_norm fwd+bwd (64,128,512)",
         _nn_case(lambda m: (m.randn(64, 128, 512, requires_grad=True), m.ones(512, requires_grad=True)),
                  lambda F, x, w: F.rms_norm(x, (512,), w), True), target=1.0),
    Case("log_softmax dim 1 (8,21,64,64)", _nn_case(lambda m: (m.randn(8, 21, 64, 64),),
                                                    lambda F, x: F.log_softmax(x, 1)), target=1.0),
    Case("cross_entropy (8,21,64,64) fwd+bwd", _nn_case(_segmentation, lambda F, x, t: F.cross_entropy(x, t), True),
         target=1.0),
    Case("ctc_loss T50 N16 C20 S20 fwd+bwd", _nn_case(_ctc_inputs, _ctc, True), target=1.0),
    Case("embedding_bag mean 256 bags x16 of (10000,64) fwd+bwd", _nn_case(_bag_inputs, _bag, True), target=1.0),
]


def _image(grad=False, shape=(16, 32, 64, 64)):
    return lambda m: (m.randn(*shape, requires_grad=grad),)


def _grid_inputs(grad=False):
    return lambda m: (m.randn(16, 32, 64, 64, requires_grad=grad),
                      (m.rand(16, 64, 64, 2) * 2.2 - 1.1).requires_grad_(grad))


def _grid_sample(F, x, grid):
    return F.grid_sample(x, grid, align_corners=False)


def _resize(mode, **kw):
    return lambda F, x: F.interpolate(x, scale_factor=2, mode=mode, **kw)


# The resampling cases of the kernels issue (#21): targets are dyngraph / PyTorch <= 1.0.
RESAMPLE_CASES = [
    Case("interpolate nearest x2 (16,32,64,64)", _nn_case(_image(), _resize("nearest")), target=1.0),
    Case("interpolate bilinear x2 (16,32,64,64)", _nn_case(_image(), _resize("bilinear")), target=1.0),
    Case("interpolate bicubic x2 (16,32,64,64)", _nn_case(_image(), _resize("bicubic")), target=1.0),
    Case("interpolate nearest x2 fwd+bwd", _nn_case(_image(True), _resize("nearest"), True), target=1.0),
    Case("interpolate bilinear x2 fwd+bwd", _nn_case(_image(True), _resize("bilinear"), True), target=1.0),
    Case("interpolate bicubic x2 fwd+bwd", _nn_case(_image(True), _resize("bicubic"), True), target=1.0),
    Case("interpolate bilinear antialias /2 (16,32,64,64)",
         _nn_case(_image(), lambda F, x: F.interpolate(x, scale_factor=0.5, mode="bilinear", antialias=True)),
         target=1.0),
    Case("grid_sample bilinear (16,32,64,64) grid (16,64,64,2)", _nn_case(_grid_inputs(), _grid_sample), target=1.0),
    Case("grid_sample bilinear fwd+bwd (input and grid)", _nn_case(_grid_inputs(True), _grid_sample, True),
         target=1.0),
    Case("avg_pool2d 3x3 s2 (16,32,64,64)", _nn_case(_image(), lambda F, x: F.avg_pool2d(x, 3, 2)), target=1.0),
    Case("avg_pool2d 3x3 s2 p1 fwd+bwd", _nn_case(_image(True), lambda F, x: F.avg_pool2d(x, 3, 2, 1), True),
         target=1.0),
    Case("adaptive_avg_pool2d 7x7 (32,64,32,32)",
         _nn_case(_image(shape=(32, 64, 32, 32)), lambda F, x: F.adaptive_avg_pool2d(x, 7)), target=1.0),
    Case("adaptive_avg_pool2d 7x7 fwd+bwd", _nn_case(_image(True, (32, 64, 32, 32)),
                                                    lambda F, x: F.adaptive_avg_pool2d(x, 7), True), target=1.0),
    Case("adaptive_max_pool2d 7x7 (32,64,32,32)",
         _nn_case(_image(False, (32, 64, 32, 32)), lambda F, x: F.adaptive_max_pool2d(x, 7)), target=1.0),
    Case("adaptive_max_pool2d 7x7 fwd+bwd", _nn_case(_image(True, (32, 64, 32, 32)),
                                                    lambda F, x: F.adaptive_max_pool2d(x, 7), True), target=1.0),
]


def _recurrent(cls, backward=False, steps=50, batch=32, features=128, hidden=256):
    """An nn.LSTM/GRU layer over (steps, batch, features); with backward, the gradients of input and weights."""
    def with_lib(lib):
        def setup():
            mod = _lib(lib)
            mod.manual_seed(0)
            layer = getattr(mod.nn, cls)(features, hidden)
            x = mod.randn(steps, batch, features, requires_grad=backward)

            def run():
                out, _ = layer(x)
                if backward:
                    out.sum().backward()
            return run
        return setup
    return {lib: with_lib(lib) for lib in ("dyngraph", "torch")}


RECURRENT_CASES = [
    Case("LSTM(128,256) 50 steps b32", _recurrent("LSTM"), target=1.0),
    Case("LSTM(128,256) 50 steps b32 fwd+bwd", _recurrent("LSTM", True), target=1.2),
    Case("GRU(128,256) 50 steps b32", _recurrent("GRU"), target=1.0),
    Case("GRU(128,256) 50 steps b32 fwd+bwd", _recurrent("GRU", True), target=1.2),
]


def _train_step(make_model, batch_shape, classes, optimizer):
    """One training step (forward, cross-entropy loss, backward, optimizer step) of make_model(nn)."""
    def with_lib(lib):
        def setup():
            mod = _lib(lib)
            mod.manual_seed(0)
            model = make_model(mod.nn)
            opt = optimizer(mod.optim, model.parameters())
            x = mod.randn(*batch_shape)
            y = mod.randint(0, classes, (batch_shape[0],))
            loss_fn = mod.nn.CrossEntropyLoss()

            def run():
                opt.zero_grad()
                loss_fn(model(x), y).backward()
                opt.step()
            return run
        return setup
    return {lib: with_lib(lib) for lib in ("dyngraph", "torch")}


def _mlp(*sizes):
    def make(nn):
        layers = []
        for i in range(len(sizes) - 1):
            layers += [nn.Linear(sizes[i], sizes[i + 1]), nn.ReLU()]
        return nn.Sequential(*layers[:-1])
    return make


def _small_cnn(nn):
    return nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(8, 16, 3, padding=1),
                         nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(16 * 7 * 7, 10))


TRAIN_CASES = [
    Case("train step MLP 784-256-256-10 b128 Adam",
         _train_step(_mlp(784, 256, 256, 10), (128, 784), 10, lambda o, p: o.Adam(p)), target=0.9),
    Case("train step MLP 64-32-10 b32 Adam", _train_step(_mlp(64, 32, 10), (32, 64), 10, lambda o, p: o.Adam(p)),
         target=0.5),
    Case("train step CNN 1x28x28 b64 SGD", _train_step(_small_cnn, (64, 1, 28, 28), 10,
                                                       lambda o, p: o.SGD(p, lr=0.01, momentum=0.9)), target=0.9),
]
