"""Tensors and numbers as TensorBoard Summary protos (scalars, histograms,
images, text, hyperparameters), in the layouts TensorBoard's plugins read."""

import struct
import zlib

import numpy as np
from tensorboard.compat.proto.summary_pb2 import HistogramProto, Summary, SummaryMetadata
from tensorboard.compat.proto.tensor_pb2 import TensorProto
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto


def to_numpy(x):
    """A tensor (detached, on the CPU), a NumPy array or a number as a NumPy array."""
    if hasattr(x, "detach"):
        return x.detach().cpu().numpy()
    return np.asarray(x)


def scalar(tag, value, double_precision=False):
    v = to_numpy(value)
    if v.size != 1:
        raise ValueError(f"scalar should be 0D, got a tensor of shape {v.shape}")
    v = float(v.reshape(()))
    if not double_precision:
        return Summary(value=[Summary.Value(tag=tag, simple_value=v)])
    tensor = TensorProto(dtype="DT_DOUBLE", double_val=[v], tensor_shape=TensorShapeProto())
    metadata = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name="scalars"))
    return Summary(value=[Summary.Value(tag=tag, tensor=tensor, metadata=metadata)])


def tensorflow_bins():
    """TensorFlow's default histogram edges: +-1e-12 growing by 10% to 1e20, and 0."""
    v, positive = 1e-12, []
    while v < 1e20:
        positive.append(v)
        v *= 1.1
    return [-b for b in reversed(positive)] + [0.0] + positive


def histogram(tag, values, bins="tensorflow", max_bins=None):
    v = to_numpy(values).astype(np.float64).reshape(-1)
    if v.size == 0:
        raise ValueError("The input has no element.")
    counts, edges = np.histogram(v, bins=tensorflow_bins() if bins == "tensorflow" else bins)
    if max_bins is not None and len(counts) > max_bins:  # merge neighbouring bins
        group = -(-len(counts) // max_bins)
        pad = (-len(counts)) % group
        counts = np.pad(counts, (0, pad)).reshape(-1, group).sum(1)
        edges = np.append(edges[:-1][::group], edges[-1])
    nonzero = np.nonzero(counts)[0]
    first, last = int(nonzero[0]), int(nonzero[-1]) + 1
    # TensorBoard reads right edges only: keep one empty bucket left of the data for the left edge.
    lo = max(first - 1, 0)
    limits, buckets = edges[lo + 1:last + 1], counts[lo:last]
    if first == 0:
        limits, buckets = np.concatenate([[edges[0]], limits]), np.concatenate([[0], buckets])
    hist = HistogramProto(min=float(v.min()), max=float(v.max()), num=int(v.size), sum=float(v.sum()),
                          sum_squares=float(np.dot(v, v)), bucket_limit=limits.tolist(), bucket=buckets.tolist())
    return Summary(value=[Summary.Value(tag=tag, histo=hist)])


def _png(pixels):
    """PNG bytes of an (H, W, C) uint8 array (C = 1, 3 or 4), written with zlib."""
    height, width, channels = pixels.shape
    color = {1: 0, 3: 2, 4: 6}[channels]
    raw = b"".join(b"\x00" + pixels[row].tobytes() for row in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, color, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def _to_hwc(img, dataformats):
    img = to_numpy(img)
    fmt = dataformats.upper()
    if len(fmt) != img.ndim or sorted(set(fmt)) != sorted(fmt):
        raise ValueError(f"dataformats {dataformats} does not match an image of shape {img.shape}")
    if fmt == "HW":
        return img[:, :, None]
    if fmt == "HWC":
        return img
    if fmt == "CHW":
        return img.transpose(1, 2, 0)
    raise ValueError(f"unsupported dataformats {dataformats} for one image (use CHW, HWC or HW)")


def image(tag, img, dataformats="CHW"):
    """Float images in [0, 1] are scaled to 0..255 (PyTorch's convention); uint8 images are kept."""
    hwc = _to_hwc(img, dataformats)
    if hwc.shape[2] == 2 or hwc.shape[2] > 4:
        raise ValueError(f"an image needs 1, 3 or 4 channels, got {hwc.shape[2]}")
    if hwc.dtype != np.uint8:
        hwc = (np.clip(hwc.astype(np.float64), 0, 1) * 255 + 0.5).astype(np.uint8)
    h, w, c = hwc.shape
    encoded = _png(np.ascontiguousarray(hwc))
    return Summary(value=[Summary.Value(tag=tag, image=Summary.Image(height=h, width=w, colorspace=c,
                                                                      encoded_image_string=encoded))])


def image_grid(images, dataformats="NCHW"):
    """A batch of images tiled into one (H, W, C) grid, rows of ceil(sqrt(N)) images, as PyTorch's make_grid."""
    arr = to_numpy(images)
    fmt = dataformats.upper()
    if fmt == "NHWC":
        arr = arr.transpose(0, 3, 1, 2)
    elif fmt == "NHW":
        arr = arr[:, None]
    elif fmt != "NCHW":
        raise ValueError(f"unsupported dataformats {dataformats} for images (use NCHW, NHWC or NHW)")
    n, c, h, w = arr.shape
    if c == 1:
        arr = np.repeat(arr, 3, axis=1)
        c = 3
    per_row = int(np.ceil(np.sqrt(n)))
    rows = int(np.ceil(n / per_row))
    grid = np.zeros((c, rows * h, per_row * w), dtype=arr.dtype)
    for i in range(n):
        r, col = divmod(i, per_row)
        grid[:, r * h:(r + 1) * h, col * w:(col + 1) * w] = arr[i]
    return grid


def text(tag, string):
    from tensorboard.plugins.text.plugin_data_pb2 import TextPluginData

    plugin = SummaryMetadata.PluginData(plugin_name="text", content=TextPluginData(version=0).SerializeToString())
    tensor = TensorProto(dtype="DT_STRING", string_val=[string.encode("utf-8")],
                         tensor_shape=TensorShapeProto(dim=[TensorShapeProto.Dim(size=1)]))
    return Summary(value=[Summary.Value(tag=tag + "/text_summary", metadata=SummaryMetadata(plugin_data=plugin),
                                        tensor=tensor)])


def hparams(hparam_dict, metric_dict, hparam_domain_discrete=None):
    """The hparams plugin's three summaries: the experiment, this session's values, and its end."""
    from google.protobuf.struct_pb2 import ListValue, Value
    from tensorboard.plugins.hparams import api_pb2, metadata
    from tensorboard.plugins.hparams.plugin_data_pb2 import HParamsPluginData, SessionEndInfo, SessionStartInfo

    hparam_domain_discrete = hparam_domain_discrete or {}
    for k, values in hparam_domain_discrete.items():
        if k not in hparam_dict or not isinstance(values, list) or not all(
                isinstance(v, type(hparam_dict[k])) for v in values):
            raise TypeError(f"parameter: hparam_domain_discrete[{k}] should be a list of same type as "
                            f"hparam_dict[{k}].")
    infos, start = [], SessionStartInfo()
    for k, v in hparam_dict.items():
        if v is None:
            continue
        if hasattr(v, "item"):
            v = v.item()
        if isinstance(v, bool):
            start.hparams[k].bool_value = v
            kind, domain = api_pb2.DATA_TYPE_BOOL, [Value(bool_value=x) for x in hparam_domain_discrete.get(k, [])]
        elif isinstance(v, (int, float)):
            start.hparams[k].number_value = v
            kind, domain = api_pb2.DATA_TYPE_FLOAT64, [Value(number_value=x)
                                                       for x in hparam_domain_discrete.get(k, [])]
        elif isinstance(v, str):
            start.hparams[k].string_value = v
            kind, domain = api_pb2.DATA_TYPE_STRING, [Value(string_value=x)
                                                      for x in hparam_domain_discrete.get(k, [])]
        else:
            raise ValueError("value should be one of int, float, str, bool, or torch.Tensor")
        info = api_pb2.HParamInfo(name=k, type=kind)
        if domain:
            info.domain_discrete.CopyFrom(ListValue(values=domain))
        infos.append(info)
    experiment = api_pb2.Experiment(hparam_infos=infos, metric_infos=[
        api_pb2.MetricInfo(name=api_pb2.MetricName(tag=k)) for k in metric_dict])

    def summary(tag, data):
        plugin = SummaryMetadata.PluginData(plugin_name=metadata.PLUGIN_NAME, content=data.SerializeToString())
        return Summary(value=[Summary.Value(tag=tag, metadata=SummaryMetadata(plugin_data=plugin))])

    return (summary(metadata.EXPERIMENT_TAG, HParamsPluginData(experiment=experiment, version=0)),
            summary(metadata.SESSION_START_INFO_TAG, HParamsPluginData(session_start_info=start, version=0)),
            summary(metadata.SESSION_END_INFO_TAG, HParamsPluginData(
                session_end_info=SessionEndInfo(status=api_pb2.STATUS_SUCCESS), version=0)))
