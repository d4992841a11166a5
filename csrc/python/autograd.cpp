// Autograd bindings: the tensor's autograd attributes, graph nodes
// (grad_fn / next_functions), the engine entry points, grad modes, hooks,
// and the node behind custom Python Functions.
#include <pybind11/functional.h>

#include "autograd/internal.h"
#include "python/bindings.h"

namespace py = pybind11;

namespace dg::python {

namespace {

// The node of a custom dyngraph.autograd.Function: calls the Python backward.
struct PyFunctionNode final : Node {
  py::object ctx, backward_fn;
  std::string cls_name;
  bool materialize_grads = true;
  std::vector<SavedVariable> saved;
  std::vector<bool> saved_is_none;

  ~PyFunctionNode() override {
    py::gil_scoped_acquire gil;
    ctx = py::object();
    backward_fn = py::object();
  }
  std::string name() const override { return cls_name; }
  void release_variables() override {
    for (auto& s : saved) s.reset();
  }
  TensorList apply(TensorList&& grads) override {
    py::gil_scoped_acquire gil;
    py::tuple args(grads.size() + 1);
    args[0] = ctx;
    for (size_t i = 0; i < grads.size(); ++i) {
      Tensor g = grads[i];
      if (!g.defined() && materialize_grads)
        g = zeros(input_meta[i].shape, TensorOptions(input_meta[i].dtype).device(input_meta[i].device));
      args[i + 1] = g.defined() ? py::cast(g) : py::none();
    }
    // The saved tensors are unpacked (version-checked) for the duration of the call.
    py::tuple unpacked(saved.size());
    for (size_t i = 0; i < saved.size(); ++i)
      unpacked[i] = saved_is_none[i] ? py::none() : py::cast(saved[i].unpack(this));
    ctx.attr("_unpacked_saved") = unpacked;
    py::object result;
    try {
      result = backward_fn(*args);
    } catch (...) {
      ctx.attr("_unpacked_saved") = py::none();
      throw;
    }
    ctx.attr("_unpacked_saved") = py::none();
    py::tuple out = py::isinstance<py::tuple>(result) ? result.cast<py::tuple>() : py::make_tuple(result);
    DG_CHECK(out.size() >= next_edges.size(), Error, "function ", cls_name, " returned an incorrect number of gradients (expected ",
             next_edges.size(), ", got ", out.size(), ")");
    TensorList res(next_edges.size());
    for (size_t i = 0; i < next_edges.size(); ++i) {
      if (out[i].is_none()) continue;
      DG_CHECK(py::isinstance<TensorImpl>(out[i]), TypeError, "function ", cls_name,
               " returned a gradient that is not a Tensor or None at position ", i);
      res[i] = out[i].cast<Tensor>();
    }
    return res;
  }
};

Tensor as_tensor_arg(py::handle h) { return h.cast<Tensor>(); }

TensorList tensor_list(const py::object& seq) {
  TensorList out;
  if (seq.is_none()) return out;
  for (auto item : seq) out.push_back(item.is_none() ? Tensor() : as_tensor_arg(item));
  return out;
}

}  // namespace

void bind_autograd(py::module_& m) {
  set_anomaly_trace_provider([] {
    py::gil_scoped_acquire gil;
    py::object stack = py::module_::import("traceback").attr("format_stack")();
    return py::str("").attr("join")(stack).cast<std::string>();
  });

  set_warning_handler([](const std::string& msg) {
    py::gil_scoped_acquire gil;
    if (PyErr_WarnEx(PyExc_UserWarning, msg.c_str(), 1) != 0) PyErr_Clear();
  });

  py::class_<Node, intrusive_ptr<Node>>(m, "Node", "A backward function in the autograd graph (Tensor.grad_fn).")
      .def("name", &Node::name)
      .def_property_readonly("next_functions",
                             [](Node& n) {
                               py::tuple out(n.next_edges.size());
                               for (size_t i = 0; i < n.next_edges.size(); ++i) {
                                 const Edge& e = n.next_edges[i];
                                 out[i] = py::make_tuple(e.valid() ? py::cast(e.fn) : py::none(), e.input_nr);
                               }
                               return out;
                             })
      .def_property_readonly("variable",
                             [](Node& n) -> py::object {
                               auto* acc = dynamic_cast<AccumulateGrad*>(&n);
                               if (!acc) throw py::attribute_error("'" + n.name() + "' object has no attribute 'variable'");
                               return py::cast(acc->variable);
                             })
      .def("register_prehook",
           [](Node& n, py::function fn) {
             return n.add_pre_hook(0, [fn](const Tensor& g) -> Tensor {
               py::gil_scoped_acquire gil;
               py::object r = fn(py::make_tuple(g));
               if (r.is_none()) return Tensor();
               if (py::isinstance<py::tuple>(r)) return r.cast<py::tuple>()[0].cast<Tensor>();
               return r.cast<Tensor>();
             });
           })
      .def("__repr__", [](Node& n) { return "<" + n.name() + " object>"; });

  auto cls = py::reinterpret_borrow<py::class_<TensorImpl, intrusive_ptr<TensorImpl>>>(m.attr("Tensor"));
  using T = const Tensor&;
  cls.def_property("requires_grad", [](T t) { return requires_grad(t); },
                   [](Tensor t, bool flag) { set_requires_grad(t, flag); })
      .def("requires_grad_", [](Tensor t, bool flag) { return set_requires_grad(t, flag); },
           py::arg("requires_grad") = true)
      .def_property("grad", [](T t) { return grad(t); },
                    [](Tensor t, std::optional<Tensor> g) { set_grad(t, g ? *g : Tensor()); })
      .def_property_readonly("grad_fn", [](T t) -> py::object {
        auto fn = grad_fn(t);
        return fn ? py::cast(fn) : py::none();
      })
      .def_property_readonly("is_leaf", [](T t) { return is_leaf(t); })
      .def_property_readonly("output_nr", [](T t) { return output_nr(t); })
      .def("retain_grad", [](Tensor t) { retain_grad(t); })
      .def_property_readonly("retains_grad", [](T t) { return retains_grad(t); })
      .def("detach", [](T t) { return detach(t); })
      .def("detach_", [](Tensor t) { return detach_(t); })
      .def_property_readonly("_version", [](T t) { return version(t); })
      .def_property_readonly("_base", [](T t) -> py::object {
        TensorImpl* b = t.impl()->view_base();
        return b ? py::cast(Tensor(intrusive_ptr<TensorImpl>(b))) : py::none();
      })
      .def_property("data", [](T t) { return detach(t); },
                    [](Tensor t, T other) { t.impl()->set_data(*other.impl()); })
      .def("_register_hook", [](Tensor t, py::function fn) {
        return register_hook(t, [fn](const Tensor& g) -> Tensor {
          py::gil_scoped_acquire gil;
          py::object r = fn(g);
          return r.is_none() ? Tensor() : r.cast<Tensor>();
        });
      })
      .def("_remove_hook", [](Tensor t, int id) { remove_hook(t, id); })
      .def("_register_post_accumulate_grad_hook", [](Tensor t, py::function fn) {
        return register_post_accumulate_grad_hook(t, [fn](Tensor& v) {
          py::gil_scoped_acquire gil;
          fn(v);
        });
      })
      .def("_remove_post_accumulate_grad_hook", [](Tensor t, int id) { remove_post_accumulate_grad_hook(t, id); });

  m.def("_backward", [](py::object roots, py::object grads, bool retain, bool create, py::object inputs) {
    backward(tensor_list(roots), tensor_list(grads), retain, create, tensor_list(inputs));
  });
  m.def("_grad", [](py::object outputs, py::object inputs, py::object grad_outputs, std::optional<bool> retain,
                    bool create, bool allow_unused) {
    TensorList r = grad(tensor_list(outputs), tensor_list(inputs), tensor_list(grad_outputs), retain, create,
                        allow_unused);
    py::tuple out(r.size());
    for (size_t i = 0; i < r.size(); ++i) out[i] = r[i].defined() ? py::cast(r[i]) : py::none();
    return out;
  });
  m.def("is_grad_enabled", [] { return grad_enabled(); });
  m.def("_set_grad_enabled", [](bool e) { set_grad_enabled(e); });
  m.def("is_inference_mode_enabled", [] { return inference_mode_enabled(); });
  m.def("_set_inference_mode", [](bool e) { set_inference_mode(e); });
  m.def("is_anomaly_enabled", [] { return anomaly_enabled(); });
  m.def("is_anomaly_check_nan_enabled", [] { return anomaly_check_nan(); });
  m.def("_set_anomaly_enabled", [](bool e, bool check_nan) { set_anomaly_enabled(e, check_nan); });
  m.def("_live_tensor_count", [] { return live_tensor_count(); }, "Tensors alive now (for leak tests).");
  m.def("_live_node_count", [] { return live_node_count(); }, "Autograd nodes alive now (for leak tests).");

  // Custom Functions: records the node after the Python forward ran.
  m.def("_record_function",
        [](py::object ctx, py::object backward_fn, std::string name, py::list inputs, py::list outputs,
           py::list non_differentiable, py::list to_save, bool materialize) {
          TensorList ins;
          for (auto h : inputs) ins.push_back(h.is_none() ? Tensor() : h.cast<Tensor>());
          bool any = false;
          for (auto& t : ins) any = any || (t.defined() && requires_grad(t));
          if (!any || !grad_enabled()) return;
          auto node = make_intrusive<PyFunctionNode>();
          node->ctx = ctx;
          node->backward_fn = backward_fn;
          node->cls_name = name;
          node->materialize_grads = materialize;
          node->next_edges = collect_next_edges(ins);
          std::vector<Tensor> outs;
          for (size_t i = 0; i < outputs.size(); ++i) {
            Tensor o = outputs[i].cast<Tensor>();
            outs.push_back(o);
            if (non_differentiable[i].cast<bool>()) {
              // still takes a slot so grads line up with outputs
              node->input_meta.push_back({Shape(o.sizes()), o.dtype(), o.device()});
              continue;
            }
            set_history(o, node);
          }
          for (auto h : to_save) {
            node->saved_is_none.push_back(h.is_none());
            if (h.is_none()) {
              node->saved.emplace_back();
              continue;
            }
            Tensor s = h.cast<Tensor>();
            bool is_output = false;
            for (auto& o : outs) is_output = is_output || o.is_same(s);
            node->saved.emplace_back(s, is_output);
          }
        });
}

}  // namespace dg::python
