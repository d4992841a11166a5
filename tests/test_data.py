"""dyngraph.utils.data: datasets, samplers, collation and the DataLoader,
in this process and in spawned worker processes."""

import collections
import warnings

import numpy as np
import pytest

import dyngraph
from dyngraph.utils.data import (BatchSampler, ChainDataset, ConcatDataset, DataLoader, Dataset, IterableDataset,
                                 RandomSampler, Sampler, SequentialSampler, Subset, SubsetRandomSampler,
                                 TensorDataset, WeightedRandomSampler, default_collate, default_convert,
                                 get_worker_info, random_split)


# Module-level datasets and functions: worker processes are spawned, so they must pickle by reference.
class Squares(Dataset):
    def __init__(self, n, fail_at=None):
        self.n, self.fail_at = n, fail_at

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if i == self.fail_at:
            raise ValueError(f"sample {i} is broken")
        info = get_worker_info()
        return {"x": dyngraph.tensor([float(i * i)]), "i": i, "worker": -1 if info is None else info.id}


class Count(IterableDataset):
    """range(n), split between workers by worker id."""

    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = get_worker_info()
        start, step = (0, 1) if info is None else (info.id, info.num_workers)
        return iter(range(start, self.n, step))

    def __len__(self):
        return self.n


class WorkerSeeds(Dataset):
    """(worker id, worker seed as text, a number from the worker's default generator)."""

    def __len__(self):
        return 4

    def __getitem__(self, i):
        info = get_worker_info()
        return info.id, str(info.seed), int(dyngraph.randint(0, 10**9, ()).item())


def failing_init(worker_id):
    raise KeyError("init failed")


class TestDatasets:
    def test_tensor_dataset(self):
        x, y = dyngraph.arange(10).reshape(5, 2), dyngraph.arange(5)
        ds = TensorDataset(x, y)
        assert len(ds) == 5
        a, b = ds[3]
        assert a.tolist() == [6, 7] and b.item() == 3
        with pytest.raises(AssertionError, match="Size mismatch between tensors"):
            TensorDataset(x, dyngraph.arange(4))

    def test_subset_and_concat(self):
        ds = TensorDataset(dyngraph.arange(6))
        sub = Subset(ds, [5, 0, 2])
        assert len(sub) == 3 and sub[0][0].item() == 5
        cat = ds + sub
        assert isinstance(cat, ConcatDataset) and len(cat) == 9
        assert cat.cumulative_sizes == [6, 9]
        assert [cat[i][0].item() for i in range(9)] == [0, 1, 2, 3, 4, 5, 5, 0, 2]
        assert cat[-1][0].item() == 2
        with pytest.raises(ValueError, match="absolute value of index"):
            cat[-10]
        with pytest.raises(AssertionError, match="empty"):
            ConcatDataset([])
        with pytest.raises(AssertionError, match="IterableDataset"):
            ConcatDataset([Count(3)])

    def test_chain_dataset(self):
        chained = Count(2) + Count(3)
        assert isinstance(chained, ChainDataset)
        assert list(chained) == [0, 1, 0, 1, 2] and len(chained) == 5

    def test_abstract_dataset_says_what_is_missing(self):
        with pytest.raises(NotImplementedError, match="__getitem__"):
            Dataset()[0]

    def test_random_split_lengths_and_fractions(self):
        parts = random_split(range(10), [3, 7], generator=dyngraph.Generator().manual_seed(1))
        assert [len(p) for p in parts] == [3, 7]
        assert sorted(list(parts[0]) + list(parts[1])) == list(range(10))
        again = random_split(range(10), [3, 7], generator=dyngraph.Generator().manual_seed(1))
        assert list(again[0]) == list(parts[0])
        # Fractions: floors 2, 2, 5; the one left over goes round-robin from the first split.
        assert [len(p) for p in random_split(range(10), [0.25, 0.25, 0.5])] == [3, 2, 5]
        with pytest.raises(ValueError, match="Sum of input lengths"):
            random_split(range(10), [3, 3])


class TestSamplers:
    def test_sequential_and_batch(self):
        assert list(SequentialSampler(range(4))) == [0, 1, 2, 3]
        assert list(BatchSampler(SequentialSampler(range(5)), 2, False)) == [[0, 1], [2, 3], [4]]
        assert list(BatchSampler(range(5), 2, True)) == [[0, 1], [2, 3]]
        assert len(BatchSampler(range(5), 2, False)) == 3 and len(BatchSampler(range(5), 2, True)) == 2
        with pytest.raises(ValueError, match="batch_size should be a positive integer"):
            BatchSampler(range(5), 0, False)
        with pytest.raises(ValueError, match="drop_last should be a boolean"):
            BatchSampler(range(5), 2, 1)

    def test_random_sampler_is_a_seeded_permutation(self):
        order = list(RandomSampler(range(8), generator=dyngraph.Generator().manual_seed(3)))
        assert sorted(order) == list(range(8))
        assert order == list(RandomSampler(range(8), generator=dyngraph.Generator().manual_seed(3)))
        dyngraph.manual_seed(5)
        first = list(RandomSampler(range(8)))
        dyngraph.manual_seed(5)
        assert list(RandomSampler(range(8))) == first

    def test_random_sampler_num_samples_and_replacement(self):
        s = RandomSampler(range(3), num_samples=7, generator=dyngraph.Generator().manual_seed(0))
        out = list(s)
        assert len(s) == 7 and len(out) == 7
        assert sorted(out[:3]) == [0, 1, 2] and sorted(out[3:6]) == [0, 1, 2]  # whole permutations first
        r = list(RandomSampler(range(4), replacement=True, num_samples=100))
        assert len(r) == 100 and set(r) <= {0, 1, 2, 3}
        with pytest.raises(TypeError, match="replacement should be a boolean"):
            RandomSampler(range(3), replacement=1)
        with pytest.raises(ValueError, match="num_samples should be a positive integer"):
            RandomSampler(range(3), num_samples=0)

    def test_subset_random_sampler(self):
        out = list(SubsetRandomSampler([10, 20, 30], generator=dyngraph.Generator().manual_seed(0)))
        assert sorted(out) == [10, 20, 30]

    def test_weighted_random_sampler(self):
        g = dyngraph.Generator().manual_seed(0)
        draws = list(WeightedRandomSampler([0.0, 1.0, 3.0], 4000, generator=g))
        counts = np.bincount(draws, minlength=3)
        assert counts[0] == 0 and abs(counts[2] / counts[1] - 3.0) < 0.4
        no_repeat = list(WeightedRandomSampler([1.0, 0.0, 5.0, 2.0], 3, replacement=False, generator=g))
        assert sorted(no_repeat) == [0, 2, 3]
        with pytest.raises(RuntimeError, match="without replacement"):
            list(WeightedRandomSampler([1.0, 0.0], 2, replacement=False))
        with pytest.raises(RuntimeError, match="< 0"):
            list(WeightedRandomSampler([1.0, -1.0], 2))
        with pytest.raises(ValueError, match="1d sequence"):
            WeightedRandomSampler([[1.0]], 2)

    def test_custom_sampler(self):
        class Evens(Sampler):
            def __iter__(self):
                return iter([0, 2, 4])

            def __len__(self):
                return 3

        loader = DataLoader(TensorDataset(dyngraph.arange(6)), sampler=Evens(), batch_size=2)
        assert [b[0].tolist() for b in loader] == [[0, 2], [4]]


class TestCollate:
    def test_leaf_types_get_pytorch_dtypes(self):
        assert default_collate([1.0, 2.0]).dtype is dyngraph.float64
        assert default_collate([1, 2]).dtype is dyngraph.int64
        assert default_collate([True, False]).dtype is dyngraph.bool
        assert default_collate([np.float32(1), np.float32(2)]).dtype is dyngraph.float32
        stacked = default_collate([np.zeros((2, 3), np.int32), np.ones((2, 3), np.int32)])
        assert stacked.shape == (2, 2, 3) and stacked.dtype is dyngraph.int32
        assert default_collate(["a", "b"]) == ["a", "b"]
        t = default_collate([dyngraph.ones(3), dyngraph.zeros(3)])
        assert t.shape == (2, 3)

    def test_containers(self):
        out = default_collate([(1, 2.0), (3, 4.0)])
        assert isinstance(out, list) and out[0].tolist() == [1, 3] and out[1].dtype is dyngraph.float64
        d = default_collate([{"a": 1, "b": "x"}, {"a": 2, "b": "y"}])
        assert d["a"].tolist() == [1, 2] and d["b"] == ["x", "y"]
        od = default_collate([collections.OrderedDict(z=1, a=2)] * 2)
        assert type(od) is collections.OrderedDict and list(od) == ["z", "a"]
        Point = collections.namedtuple("Point", "x y")
        p = default_collate([Point(1, 2), Point(3, 4)])
        assert isinstance(p, Point) and p.x.tolist() == [1, 3]
        nested = default_collate([[1, [2, 3]], [4, [5, 6]]])
        assert nested[0].tolist() == [1, 4] and nested[1][1].tolist() == [3, 6]

    def test_errors(self):
        with pytest.raises(RuntimeError, match="equal size"):
            default_collate([[1, 2], [3]])
        with pytest.raises(TypeError, match="default_collate: batch must contain"):
            default_collate([object()])
        with pytest.raises(TypeError, match="default_collate: batch must contain"):
            default_collate([np.array(["a"]), np.array(["b"])])

    def test_default_convert(self):
        assert default_convert(np.float64(2.0)).dtype is dyngraph.float64
        out = default_convert((1, np.array([1.0])))
        assert isinstance(out, list) and out[0] == 1 and out[1].tolist() == [1.0]
        strings = np.array(["a"])
        assert default_convert(strings) is strings


class TestDataLoader:
    def test_batches_and_len(self):
        ds = TensorDataset(dyngraph.arange(10).float(), dyngraph.arange(10))
        loader = DataLoader(ds, batch_size=4)
        batches = list(loader)
        assert len(loader) == 3 and [b[1].tolist() for b in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
        assert len(DataLoader(ds, batch_size=4, drop_last=True)) == 2
        assert len(list(DataLoader(ds, batch_size=4, drop_last=True))) == 2
        assert len(DataLoader(ds)) == 10  # batch_size defaults to 1

    def test_batch_size_none_disables_batching(self):
        loader = DataLoader([np.float32(1.5), np.float32(2.5)], batch_size=None)
        items = list(loader)
        assert len(loader) == 2 and items[0].shape == () and items[0].dtype is dyngraph.float32

    def test_shuffle_is_reproducible_with_a_generator(self):
        ds = TensorDataset(dyngraph.arange(20))

        def order(seed):
            loader = DataLoader(ds, batch_size=5, shuffle=True, generator=dyngraph.Generator().manual_seed(seed))
            return [i for b in loader for i in b[0].tolist()]

        assert sorted(order(0)) == list(range(20))
        assert order(0) == order(0) and order(0) != order(1)
        dyngraph.manual_seed(7)
        first = [b[0].tolist() for b in DataLoader(ds, batch_size=5, shuffle=True)]
        dyngraph.manual_seed(7)
        assert [b[0].tolist() for b in DataLoader(ds, batch_size=5, shuffle=True)] == first

    def test_batch_sampler_and_collate_fn(self):
        ds = TensorDataset(dyngraph.arange(6))
        loader = DataLoader(ds, batch_sampler=[[5, 4], [0]], collate_fn=lambda batch: [s[0].item() for s in batch])
        assert list(loader) == [[5, 4], [0]]

    def test_iterable_dataset(self):
        loader = DataLoader(Count(7), batch_size=3)
        assert [b.tolist() for b in loader] == [[0, 1, 2], [3, 4, 5], [6]]
        assert len(loader) == 3
        assert [b.tolist() for b in DataLoader(Count(7), batch_size=3, drop_last=True)] == [[0, 1, 2], [3, 4, 5]]
        # Without batching, default_convert leaves plain Python numbers alone.
        assert list(DataLoader(Count(3), batch_size=None)) == [0, 1, 2]

    def test_argument_errors_match_pytorch(self):
        ds = TensorDataset(dyngraph.arange(4))
        cases = [
            (dict(num_workers=-1), "num_workers option should be non-negative"),
            (dict(timeout=-1), "timeout option should be non-negative"),
            (dict(prefetch_factor=2), "prefetch_factor option could only be specified"),
            (dict(persistent_workers=True), "persistent_workers option needs num_workers > 0"),
            (dict(sampler=SequentialSampler(ds), shuffle=True), "mutually exclusive with shuffle"),
            (dict(batch_sampler=[[0]], batch_size=2), "batch_sampler option is mutually exclusive"),
            (dict(batch_size=None, drop_last=True), "disables auto-batching"),
            (dict(multiprocessing_context="spawn"), "can only be used with multi-process loading"),
            (dict(num_workers=1, multiprocessing_context="fork"), "does not fork"),
            (dict(num_workers=1, multiprocessing_context="nonsense"), "valid start method"),
        ]
        for kwargs, message in cases:
            with pytest.raises(ValueError, match=message):
                DataLoader(ds, **kwargs)
        with pytest.raises(ValueError, match="expected unspecified shuffle option"):
            DataLoader(Count(3), shuffle=True)
        loader = DataLoader(ds)
        with pytest.raises(ValueError, match="batch_size attribute should not be set"):
            loader.batch_size = 3

    def test_pin_memory_and_in_order_are_accepted(self):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = list(DataLoader(TensorDataset(dyngraph.arange(3)), batch_size=3, pin_memory=True, in_order=True))
        assert out[0][0].tolist() == [0, 1, 2]


class TestWorkers:
    """Worker processes are spawned (each start costs a fraction of a second), so few of these."""

    def test_map_dataset_in_order_across_workers(self):
        loader = DataLoader(Squares(11), batch_size=2, num_workers=2)
        batches = list(loader)
        assert [b["i"].tolist() for b in batches] == [[0, 1], [2, 3], [4, 5], [6, 7], [8, 9], [10]]
        assert batches[-1]["x"].tolist() == [[100.0]]
        # Batches go round-robin to the workers.
        assert [b["worker"][0].item() for b in batches] == [0, 1, 0, 1, 0, 1]

    def test_worker_exception_carries_the_traceback(self):
        loader = DataLoader(Squares(8, fail_at=5), batch_size=2, num_workers=2)
        with pytest.raises(ValueError) as info:
            list(loader)
        message = str(info.value)
        assert "Caught ValueError in DataLoader worker process 0" in message
        assert "Traceback" in message and "sample 5 is broken" in message

    def test_worker_init_fn_exception(self):
        with pytest.raises(KeyError, match="init failed"):
            next(iter(DataLoader(Squares(4), num_workers=1, worker_init_fn=failing_init)))

    def test_iterable_dataset_with_persistent_workers(self):
        loader = DataLoader(Count(9), batch_size=2, num_workers=2, persistent_workers=True)
        for _ in range(2):  # the same workers serve both epochs
            batches = [b.tolist() for b in loader]
            assert sorted(i for b in batches for i in b) == list(range(9))
        assert loader._iterator is not None and all(w.is_alive() for w in loader._iterator._workers)
        workers = loader._iterator._workers
        del loader
        for w in workers:
            w.join(timeout=10)
            assert not w.is_alive()

    def test_workers_seed_their_generators_with_base_seed_plus_id(self):
        batches = list(DataLoader(WorkerSeeds(), batch_size=2, num_workers=2))
        assert [b[0].tolist() for b in batches] == [[0, 0], [1, 1]]
        seeds = [int(b[1][0]) for b in batches]
        assert seeds[1] == seeds[0] + 1  # PyTorch's rule: base_seed (from the main process's RNG) + worker id
        for batch, seed in zip(batches, seeds):
            dyngraph.manual_seed(seed)  # the worker's default generator was seeded the same way
            assert batch[2][0].item() == dyngraph.randint(0, 10**9, ()).item()

    def test_local_dataset_falls_back_to_worker_threads(self):
        # PyTorch forks on Linux, so datasets defined inside functions work there; a spawned
        # process can't receive one, and dyngraph keeps such code working with threads.
        class Local(Dataset):
            def __len__(self):
                return 5

            def __getitem__(self, i):
                if i == 4:
                    raise IndexError("four")
                return i, get_worker_info().id

        loader = DataLoader(Local(), batch_size=2, num_workers=2)
        with pytest.warns(UserWarning, match="worker threads instead of processes"):
            it = iter(loader)
        first, second = next(it), next(it)
        assert first[0].tolist() == [0, 1] and first[1].tolist() == [0, 0]
        assert second[0].tolist() == [2, 3] and second[1].tolist() == [1, 1]
        assert get_worker_info() is None  # the main thread is not a worker
        with pytest.raises(IndexError, match="Caught IndexError in DataLoader worker process 0"):
            next(it)


def test_stack_dataset_tuples_and_dicts():
    from dyngraph.utils.data import StackDataset

    a, b = dyngraph.arange(3), dyngraph.arange(3) * 2
    stacked = StackDataset(a, b)
    assert len(stacked) == 3
    first, second = stacked[1]
    assert first.item() == 1 and second.item() == 2
    assert StackDataset(x=[1, 2], y=[3, 4])[0] == {"x": 1, "y": 3}
    with pytest.raises(ValueError, match="Size mismatch"):
        StackDataset([1, 2], [1])
    with pytest.raises(ValueError):
        StackDataset([1], y=[1])


def test_distributed_sampler_partitions_the_dataset():
    from dyngraph.utils.data import DistributedSampler

    data = list(range(10))
    shares = [list(DistributedSampler(data, num_replicas=3, rank=r, shuffle=False)) for r in range(3)]
    assert shares == [[0, 3, 6, 9], [1, 4, 7, 0], [2, 5, 8, 1]]  # padded by wrapping around
    trimmed = [list(DistributedSampler(data, num_replicas=3, rank=r, shuffle=False, drop_last=True)) for r in range(3)]
    assert trimmed == [[0, 3, 6], [1, 4, 7], [2, 5, 8]]
    samplers = [DistributedSampler(data, num_replicas=2, rank=r, seed=5) for r in range(2)]
    epoch0 = [list(s) for s in samplers]
    assert sorted(epoch0[0] + epoch0[1]) == data
    for s in samplers:
        s.set_epoch(1)
    assert [list(s) for s in samplers] != epoch0
    assert len(samplers[0]) == 5
    with pytest.raises(ValueError):
        DistributedSampler(data, num_replicas=2, rank=2)
    with pytest.raises(RuntimeError, match="distributed"):
        DistributedSampler(data)
