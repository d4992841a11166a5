"""The graph add_graph shows: one node per leaf-module call of a forward pass
(named by the module's path, its op the module's class), with edges from the
calls (or model inputs) whose outputs feed it. dyngraph has no tracer, so the
edges come from autograd's graph, which also sees through the functional ops
(view, relu, +, ...) run between modules."""

from tensorboard.compat.proto.graph_pb2 import GraphDef
from tensorboard.compat.proto.node_def_pb2 import NodeDef


def _tensors(value):
    if hasattr(value, "grad_fn"):
        return [value]
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in _tensors(v)]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _tensors(v)]
    return []


def _sources(tensor, producers):
    """The producer names reached from tensor's grad_fn, stopping at each producer."""
    found, seen, stack = [], set(), [tensor.grad_fn] if tensor.grad_fn is not None else []
    while stack:
        fn = stack.pop()
        if fn is None or id(fn) in seen:
            continue
        seen.add(id(fn))
        if fn in producers:
            if producers[fn] not in found:
                found.append(producers[fn])
            continue
        stack.extend(next_fn for next_fn, _ in fn.next_functions)
    return found


def module_graph(model, inputs):
    import dyngraph

    inputs = inputs if isinstance(inputs, (list, tuple)) else (inputs,)
    producers, nodes, counts = {}, [], {}
    # Each floating input passes through one recorded op, whose grad_fn marks where it enters.
    tracked = []
    for i, x in enumerate(inputs):
        if hasattr(x, "dtype") and (x.dtype.is_floating_point or x.dtype.is_complex):
            x = x.detach().requires_grad_() * 1
            producers[x.grad_fn] = f"input/input.{i}"
            nodes.append(NodeDef(name=f"input/input.{i}", op="IO Node"))
        tracked.append(x)

    names = {id(m): name or type(m).__name__ for name, m in model.named_modules()}

    def record(module, args, output):
        base = names[id(module)]
        counts[base] = counts.get(base, 0) + 1
        name = base if counts[base] == 1 else f"{base}.{counts[base] - 1}"
        sources = [s for t in _tensors(args) for s in _sources(t, producers)]
        nodes.append(NodeDef(name=name, op=type(module).__name__, input=list(dict.fromkeys(sources))))
        for t in _tensors(output):
            if t.grad_fn is not None:
                producers[t.grad_fn] = name

    leaves = [m for m in model.modules() if not any(True for _ in m.children())]
    handles = [m.register_forward_hook(record) for m in leaves]
    try:
        with dyngraph.enable_grad():
            outputs = model(*tracked)
    finally:
        for h in handles:
            h.remove()
    for i, t in enumerate(_tensors(outputs)):
        nodes.append(NodeDef(name=f"output/output.{i}", op="IO Node", input=_sources(t, producers)))
    return GraphDef(node=nodes)
