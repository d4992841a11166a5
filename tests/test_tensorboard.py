"""dyngraph.utils.tensorboard.SummaryWriter: the event files it writes are read back with
TensorBoard's own EventAccumulator (skipped without the tensorboard package)."""

import io
import os
import zlib

import numpy as np
import pytest

import dyngraph

pytest.importorskip("tensorboard")
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator  # noqa: E402

from dyngraph.utils.tensorboard import SummaryWriter  # noqa: E402


def _read(path):
    acc = EventAccumulator(str(path), size_guidance={"tensors": 0, "scalars": 0, "images": 0, "histograms": 0})
    acc.Reload()
    return acc


def test_scalars_steps_and_walltimes(tmp_path):
    with SummaryWriter(tmp_path) as w:
        for step in range(4):
            w.add_scalar("loss", dyngraph.tensor(1.0 / (step + 1)), step, walltime=100.0 + step)
        w.add_scalar("precise", 0.1, 0, double_precision=True)
    acc = _read(tmp_path)
    events = acc.Scalars("loss")
    assert [e.step for e in events] == [0, 1, 2, 3]
    np.testing.assert_allclose([e.value for e in events], [1, 0.5, 1 / 3, 0.25], rtol=1e-6)
    assert [e.wall_time for e in events] == [100.0, 101.0, 102.0, 103.0]
    assert "precise" in acc.Tags()["tensors"]
    with pytest.raises(ValueError, match="scalar should be 0D"):
        SummaryWriter(tmp_path / "bad").add_scalar("x", dyngraph.ones(2))


def test_add_scalars_writes_one_run_per_tag(tmp_path):
    w = SummaryWriter(tmp_path)
    w.add_scalars("run/acc", {"train": 0.75, "val": 0.5}, 3)
    w.close()
    assert {"run_acc_train", "run_acc_val"} <= set(os.listdir(tmp_path))
    train = _read(tmp_path / "run_acc_train").Scalars("run/acc")
    assert train[0].step == 3 and train[0].value == 0.75


def test_histogram_counts_every_value(tmp_path):
    values = np.random.default_rng(0).standard_normal(500)
    with SummaryWriter(tmp_path) as w:
        w.add_histogram("w", dyngraph.tensor(values), 7)
        w.add_histogram("w_auto", values, 7, bins="auto", max_bins=5)
    acc = _read(tmp_path)
    hist = acc.Histograms("w")[0].histogram_value
    assert hist.num == 500 and hist.min == values.min() and hist.max == values.max()
    assert sum(hist.bucket) == 500
    np.testing.assert_allclose(hist.sum_squares, (values ** 2).sum())
    auto = acc.Histograms("w_auto")[0].histogram_value
    assert sum(auto.bucket) == 500 and len(auto.bucket) <= 6


def test_images_are_valid_pngs_with_the_right_pixels(tmp_path):
    img = dyngraph.zeros(3, 4, 5)
    img[0, 1, 2] = 1.0  # one red pixel
    with SummaryWriter(tmp_path) as w:
        w.add_image("one", img, 0)
        w.add_image("hwc", (np.ones((4, 5, 3)) * 255).astype(np.uint8), 0, dataformats="HWC")
        w.add_images("batch", dyngraph.rand(5, 1, 4, 4), 0)
    acc = _read(tmp_path)
    one = acc.Images("one")[0]
    assert (one.width, one.height) == (5, 4)
    png = one.encoded_image_string
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    # Decode the single IDAT chunk: rows of filter byte 0 + RGB bytes.
    start = png.index(b"IDAT") + 4
    length = int.from_bytes(png[start - 8:start - 4], "big")
    rows = zlib.decompress(png[start:start + length])
    pixels = np.frombuffer(rows, dtype=np.uint8).reshape(4, 1 + 5 * 3)[:, 1:].reshape(4, 5, 3)
    assert pixels[1, 2].tolist() == [255, 0, 0] and pixels.sum() == 255
    batch = acc.Images("batch")[0]
    assert (batch.width, batch.height) == (12, 8)  # 5 images: rows of 3
    try:
        from PIL import Image
    except ImportError:
        return
    assert Image.open(io.BytesIO(png)).size == (5, 4)


def test_text_and_hparams(tmp_path):
    from tensorboard.plugins.hparams.plugin_data_pb2 import HParamsPluginData

    with SummaryWriter(tmp_path) as w:
        w.add_text("notes", "lr **0.1**", 1)
        w.add_hparams({"lr": 0.1, "batch": 32, "opt": "sgd", "nesterov": True}, {"hparam/accuracy": 0.9},
                      run_name="trial")
    assert _read(tmp_path).Tensors("notes/text_summary")[0].tensor_proto.string_val == [b"lr **0.1**"]
    trial = _read(tmp_path / "trial")
    content = trial.PluginTagToContent("hparams")
    start = HParamsPluginData.FromString(content["_hparams_/session_start_info"]).session_start_info
    assert start.hparams["lr"].number_value == 0.1 and start.hparams["opt"].string_value == "sgd"
    assert start.hparams["nesterov"].bool_value is True
    experiment = HParamsPluginData.FromString(content["_hparams_/experiment"]).experiment
    assert [m.name.tag for m in experiment.metric_infos] == ["hparam/accuracy"]
    assert trial.Scalars("hparam/accuracy")[0].value == pytest.approx(0.9)
    with pytest.raises(TypeError, match="should be dictionary"):
        SummaryWriter(tmp_path / "x").add_hparams([("lr", 1)], {})


def test_default_log_dir_is_under_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    w = SummaryWriter(comment="_exp")
    w.close()
    assert w.get_logdir().startswith("runs" + os.sep) and w.get_logdir().endswith("_exp")
    assert os.listdir(w.get_logdir())


def test_add_graph_links_module_calls_through_functional_ops(tmp_path):
    nn, F = dyngraph.nn, dyngraph.nn.functional

    class Residual(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 2, 3, padding=1)
            self.act = nn.ReLU()
            self.fc = nn.Linear(2 * 4 * 4, 3)

        def forward(self, x):
            h = self.act(self.conv(x))
            h = self.act(h + x)  # the same module twice, and a skip connection from the input
            return self.fc(F.dropout(h, 0.0).flatten(1))

    with SummaryWriter(tmp_path) as w:
        w.add_graph(Residual(), dyngraph.randn(2, 1, 4, 4))
    graph = _read(tmp_path).Graph()
    edges = {n.name: (n.op, list(n.input)) for n in graph.node}
    assert edges["conv"] == ("Conv2d", ["input/input.0"])
    assert edges["act"] == ("ReLU", ["conv"])
    assert edges["act.1"] == ("ReLU", ["act", "input/input.0"]) or edges["act.1"] == ("ReLU", ["input/input.0", "act"])
    assert edges["fc"] == ("Linear", ["act.1"])
    assert edges["output/output.0"] == ("IO Node", ["fc"])
