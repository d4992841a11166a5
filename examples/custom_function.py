"""A custom autograd Function: forward computes x**2, backward returns
2*x*grad. gradcheck compares it with finite differences, and because the
backward is written with dyngraph ops, second derivatives work too.
Run: python examples/custom_function.py"""

import dyngraph as dg


class Square(dg.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return 2 * x * grad_output


x = dg.tensor([1.0, 2.0, 3.0], dtype=dg.float64, requires_grad=True)
y = Square.apply(x).sum()
y.backward()
print("d/dx sum(x^2) =", x.grad)  # 2x

(g,) = dg.autograd.grad(Square.apply(x).sum(), x, create_graph=True)
(h,) = dg.autograd.grad(g.sum(), x)
print("second derivative =", h)  # 2

print("gradcheck:", dg.autograd.gradcheck(Square.apply, (x,)))
print("gradgradcheck:", dg.autograd.gradgradcheck(Square.apply, (x,)))
