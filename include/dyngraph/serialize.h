// Saving and loading named tensors as safetensors files, the format of
// Python's dyngraph.save / dyngraph.load: an 8-byte little-endian header
// length, a JSON header giving each tensor's dtype, shape and byte range,
// then the raw little-endian data. A file saved here loads in Python as a
// dict of tensors (a state dict for load_state_dict); a state dict or any
// flat dict of tensors saved by Python loads here under its keys, as do
// safetensors files from other tools. Loading runs no code and checks every
// offset; a corrupt or truncated file raises dg::Error saying what is wrong.
#pragma once

#include <iosfwd>
#include <map>
#include <string>

#include "dyngraph/export.h"
#include "dyngraph/nn.h"
#include "dyngraph/tensor.h"

namespace dg {

// Writes the tensors (any dtype and layout, on any device) under their
// names. Non-contiguous tensors are stored as contiguous copies.
DG_API void save(const std::map<std::string, Tensor>& tensors, const std::string& path);
DG_API void save(const std::map<std::string, Tensor>& tensors, std::ostream& out);

// Reads every tensor of a file, as new CPU tensors. Files that Python wrote
// from a flat dict (such as a state dict) give its keys; files of other
// Python structures (nested dicts, lists) give the dotted paths Python stored
// the tensors under ("model.0.weight"). A tensor saved with requires_grad
// comes back requiring grad. The stream must be seekable.
DG_API std::map<std::string, Tensor> load(const std::string& path);
DG_API std::map<std::string, Tensor> load(std::istream& in);

// A module's state_dict(), and loading one into a module (see
// nn::Module::load_state_dict for strict).
DG_API void save(const nn::Module& module, const std::string& path);
DG_API void load(nn::Module& module, const std::string& path, bool strict = true);

}  // namespace dg
