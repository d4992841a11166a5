"""The layer classes of dyngraph.nn, one family per file."""

from . import (activation, adaptive, attention, batchnorm, container, conv, distance, dropout, flatten, fold, instancenorm,
               lazy, linear, loss, normalization, padding, pixelshuffle, pooling, rnn, sparse, transformer,
               upsampling)
from .activation import *  # noqa: F401,F403
from .adaptive import *  # noqa: F401,F403
from .attention import *  # noqa: F401,F403
from .batchnorm import *  # noqa: F401,F403
from .container import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .distance import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .flatten import *  # noqa: F401,F403
from .fold import *  # noqa: F401,F403
from .instancenorm import *  # noqa: F401,F403
from .lazy import *  # noqa: F401,F403
from .linear import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
from .module import Module
from .normalization import *  # noqa: F401,F403
from .padding import *  # noqa: F401,F403
from .pixelshuffle import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .rnn import *  # noqa: F401,F403
from .sparse import *  # noqa: F401,F403
from .transformer import *  # noqa: F401,F403
from .upsampling import *  # noqa: F401,F403

# Only the layer classes are re-exported by `from dyngraph.nn.modules import *` (not the file names).
__all__ = ["Module"] + [name for family in (activation, adaptive, attention, batchnorm, container, conv, distance, dropout,
                                            flatten, fold, instancenorm, lazy, linear, loss, normalization, padding,
                                            pixelshuffle, pooling, rnn, sparse, transformer, upsampling)
                        for name in family.__all__]
