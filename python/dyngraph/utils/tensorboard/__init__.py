"""dyngraph.utils.tensorboard: SummaryWriter writes TensorBoard event files
through the `tensorboard` package (pip install dyngraph[tensorboard]), which
owns the file format; this package only turns tensors into its protos."""

try:
    import tensorboard  # noqa: F401
except ImportError as e:  # as PyTorch: importing the module needs the package
    raise ImportError("TensorBoard logging requires TensorBoard version 1.15 or above") from e

from .writer import SummaryWriter

__all__ = ["SummaryWriter"]
