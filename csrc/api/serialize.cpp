// safetensors files (serialize.h), written and read the way Python's
// python/dyngraph/serialization.py does: the same dtype codes (plus "C128"
// for complex128), tensors ordered widest element first so each one's data
// is aligned, the header padded with spaces to a multiple of 8 bytes, the
// same 100 MB header limit and the same checks on every entry.
#include "dyngraph/serialize.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <istream>
#include <ostream>
#include <sstream>
#include <vector>

#include "api/json.h"
#include "dyngraph/autograd.h"
#include "dyngraph/ops.h"

namespace dg {

namespace {

constexpr uint64_t kMaxHeaderBytes = 100000000;  // safetensors' limit: a bad length can't allocate gigabytes
constexpr int64_t kFormatVersion = 1;            // of the "dyngraph" structure metadata Python writes

struct DtypeCode {
  Dtype dtype;
  const char* code;
};
constexpr DtypeCode kCodes[] = {
    {kBool, "BOOL"}, {kUInt8, "U8"},   {kInt8, "I8"},     {kInt16, "I16"},   {kInt32, "I32"}, {kInt64, "I64"},
    {kFloat16, "F16"}, {kBFloat16, "BF16"}, {kFloat32, "F32"}, {kFloat64, "F64"}, {kComplex64, "C64"},
    {kComplex128, "C128"},
};

const char* code_of(Dtype d) {
  for (const auto& c : kCodes)
    if (c.dtype == d) return c.code;
  DG_FAIL(TypeError, "dg::save: tensors of dtype ", dtype_name(d), " can't be stored");
}

bool dtype_of_code(const std::string& code, Dtype& out) {
  for (const auto& c : kCodes)
    if (code == c.code) {
      out = c.dtype;
      return true;
    }
  return false;
}

// The file stores little-endian data, which is this machine's layout; a
// big-endian host would need byte swapping, which is not implemented.
void check_little_endian(const char* who) {
  const uint16_t probe = 1;
  unsigned char first;
  std::memcpy(&first, &probe, 1);
  DG_CHECK(first == 1, Error, who, ": safetensors files are little-endian and this machine is not");
}

std::string quoted(const std::string& s) { return "'" + s + "'"; }

// ---- save -------------------------------------------------------------------------------------

void write_file(const std::map<std::string, Tensor>& tensors, std::ostream& out, const std::string& destination) {
  check_little_endian("dg::save");
  struct Item {
    std::string name;
    Tensor data;  // contiguous, on the CPU
  };
  std::vector<Item> items;
  {
    NoGradGuard no_grad;
    for (const auto& [name, t] : tensors) {
      DG_CHECK(name != "__metadata__", ValueError, "dg::save: \"__metadata__\" can't be a tensor name");
      DG_CHECK(json::is_valid_utf8(name), ValueError, "dg::save: tensor names must be UTF-8; ", quoted(name),
               " is not");
      DG_CHECK(t.defined(), ValueError, "dg::save: the tensor named ", quoted(name), " is undefined");
      code_of(t.dtype());  // throws for a dtype the format has no code for
      items.push_back({name, t.to(kCPU).contiguous()});
    }
  }
  // Widest elements first (a stable sort keeps name order within a width):
  // every tensor's data then starts aligned to its element size.
  std::stable_sort(items.begin(), items.end(),
                   [](const Item& a, const Item& b) { return a.data.element_size() > b.data.element_size(); });

  std::string header = "{";
  uint64_t offset = 0;
  for (const Item& item : items) {
    uint64_t nbytes = static_cast<uint64_t>(item.data.numel()) * item.data.element_size();
    json::append_string(header, item.name);
    header += ":{\"dtype\":\"";
    header += code_of(item.data.dtype());
    header += "\",\"shape\":[";
    for (int64_t d = 0; d < item.data.dim(); ++d) header += (d ? "," : "") + std::to_string(item.data.size(d));
    header += "],\"data_offsets\":[" + std::to_string(offset) + "," + std::to_string(offset + nbytes) + "]},";
    offset += nbytes;
  }
  // The metadata marks a plain dict of tensors: Python loads the file as {name: tensor}.
  header += "\"__metadata__\":{\"format\":\"pt\"}}";
  header.append((8 - header.size() % 8) % 8, ' ');  // pad so the data starts 8-byte aligned

  unsigned char length[8];
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) length[i] = static_cast<unsigned char>(n >> (8 * i));
  out.write(reinterpret_cast<const char*>(length), 8);
  out.write(header.data(), static_cast<std::streamsize>(header.size()));
  for (const Item& item : items)
    out.write(static_cast<const char*>(item.data.data_ptr()),
              static_cast<std::streamsize>(item.data.numel() * item.data.element_size()));
  out.flush();
  DG_CHECK(out.good(), Error, "dg::save: writing to ", destination, " failed");
}

// ---- load -------------------------------------------------------------------------------------

struct Entry {
  Dtype dtype;
  Shape shape;
  uint64_t begin, nbytes;
};

class Reader {
 public:
  Reader(std::istream& in, std::string source) : in_(in), source_(std::move(source)) {}

  std::map<std::string, Tensor> read() {
    check_little_endian("dg::load");
    read_header();
    std::map<std::string, Tensor> out;
    if (!read_python_dict(out))
      for (const auto& entry : entries_) out[entry.first] = tensor(entry.first);
    return out;
  }

 private:
  Error corrupt(const std::string& why) const {
    return Error("dg::load: " + source_ + " is not a valid safetensors file: " + why);
  }

  void read_header() {
    std::streampos start = in_.tellg();
    in_.seekg(0, std::ios::end);
    std::streampos end = in_.tellg();
    DG_CHECK(start != std::streampos(-1) && end != std::streampos(-1), Error, "dg::load: ", source_,
             " can't be read: the stream must be seekable");
    uint64_t file_size = static_cast<uint64_t>(end - start);
    in_.seekg(start);
    if (file_size < 8)
      throw corrupt("it is " + std::to_string(file_size) + " bytes long, shorter than the 8-byte header length");
    unsigned char length[8];
    in_.read(reinterpret_cast<char*>(length), 8);
    uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | length[i];
    if (n > kMaxHeaderBytes)
      throw corrupt("the header length " + std::to_string(n) + " is larger than the limit of " +
                    std::to_string(kMaxHeaderBytes) + " bytes");
    if (n > file_size - 8)
      throw corrupt("the header length " + std::to_string(n) + " runs past the end of the file (" +
                    std::to_string(file_size) + " bytes): truncated?");
    std::string text(n, '\0');
    in_.read(&text[0], static_cast<std::streamsize>(n));
    if (!in_) throw corrupt("the header could not be read");
    data_start_ = start + static_cast<std::streamoff>(8 + n);
    data_size_ = file_size - 8 - n;

    json::Value header;
    try {
      header = json::parse(text);
    } catch (const ValueError& e) {
      throw corrupt(std::string("the header is not valid JSON (") + e.what() + ")");
    }
    if (!header.is_object()) throw corrupt("the header is not a JSON object");
    for (auto& [name, value] : header.object) {
      if (name == "__metadata__") {
        metadata_ = std::move(value);
        continue;
      }
      entries_.emplace_back(name, check_entry(name, value));
    }
    bool metadata_ok = metadata_.kind == json::Value::Kind::Null || metadata_.is_object();
    for (const auto& member : metadata_.object) metadata_ok = metadata_ok && member.second.is_string();
    if (!metadata_ok) throw corrupt("__metadata__ must map strings to strings");
  }

  Entry check_entry(const std::string& name, const json::Value& v) const {
    const json::Value* code = v.is_object() ? v.find("dtype") : nullptr;
    const json::Value* shape = v.is_object() ? v.find("shape") : nullptr;
    const json::Value* offsets = v.is_object() ? v.find("data_offsets") : nullptr;
    if (!code || !shape || !offsets) throw corrupt("tensor " + quoted(name) + " needs dtype, shape and data_offsets");
    Entry e;
    if (!code->is_string() || !dtype_of_code(code->string, e.dtype))
      throw corrupt("tensor " + quoted(name) + " has a dtype (" + (code->is_string() ? quoted(code->string) : "?") +
                    ") which dyngraph has no dtype for");
    bool shape_ok = shape->is_array();
    int64_t numel = 1;
    for (const json::Value& s : shape->array) {
      shape_ok = shape_ok && s.is_int() && s.integer >= 0;
      if (!shape_ok) break;
      e.shape.push_back(s.integer);
      if (__builtin_mul_overflow(numel, s.integer, &numel))
        throw corrupt("tensor " + quoted(name) + " has a shape whose element count overflows");
    }
    if (!shape_ok) throw corrupt("tensor " + quoted(name) + " has an invalid shape");
    bool offsets_ok = offsets->is_array() && offsets->array.size() == 2 && offsets->array[0].is_int() &&
                      offsets->array[1].is_int() && offsets->array[0].integer >= 0;
    if (!offsets_ok) throw corrupt("tensor " + quoted(name) + " has invalid data_offsets");
    uint64_t begin = static_cast<uint64_t>(offsets->array[0].integer);
    int64_t end_signed = offsets->array[1].integer;
    if (end_signed < offsets->array[0].integer || static_cast<uint64_t>(end_signed) > data_size_)
      throw corrupt("tensor " + quoted(name) + " has data_offsets [" + std::to_string(begin) + ", " +
                    std::to_string(end_signed) + "] outside the " + std::to_string(data_size_) +
                    "-byte data section: truncated?");
    uint64_t span = static_cast<uint64_t>(end_signed) - begin;
    int64_t nbytes;
    if (__builtin_mul_overflow(numel, itemsize(e.dtype), &nbytes))
      throw corrupt("tensor " + quoted(name) + " has a shape whose byte count overflows");
    if (static_cast<uint64_t>(nbytes) != span) {
      std::ostringstream msg;
      msg << "tensor " << quoted(name) << " of shape " << e.shape << " and dtype " << code->string << " needs "
          << nbytes << " bytes, but its data_offsets span " << span;
      throw corrupt(msg.str());
    }
    e.begin = begin;
    e.nbytes = span;
    return e;
  }

  // The tensor stored under a header name (read once; later calls share it).
  Tensor tensor(const std::string& name) {
    auto cached = loaded_.find(name);
    if (cached != loaded_.end()) return cached->second;
    const Entry* entry = nullptr;
    for (const auto& e : entries_)
      if (e.first == name) entry = &e.second;
    if (!entry) throw corrupt("the structure refers to a tensor " + quoted(name) + " that is not in the file");
    Tensor t = empty(entry->shape, entry->dtype);
    if (entry->nbytes > 0) {
      in_.seekg(data_start_ + static_cast<std::streamoff>(entry->begin));
      in_.read(static_cast<char*>(t.data_ptr()), static_cast<std::streamsize>(entry->nbytes));
      if (!in_) throw corrupt("the data of tensor " + quoted(name) + " could not be read: truncated?");
      if (entry->dtype == kBool) {  // any nonzero byte is true; a bool must hold exactly 0 or 1
        auto* p = static_cast<unsigned char*>(t.data_ptr());
        for (uint64_t i = 0; i < entry->nbytes; ++i) p[i] = p[i] != 0;
      }
    }
    loaded_.emplace(name, t);
    return t;
  }

  // Python's dyngraph.save describes the saved object in the metadata key
  // "dyngraph" (JSON in a string). When that object is a dict whose keys are
  // strings and whose values are tensors (a state dict), the result uses its
  // keys. Returns false for any other object (the caller then uses the
  // header's names, which are the tensors' dotted paths).
  bool read_python_dict(std::map<std::string, Tensor>& out) {
    const json::Value* text = metadata_.is_object() ? metadata_.find("dyngraph") : nullptr;
    if (!text) return false;
    json::Value description;
    try {
      description = json::parse(text->string);
    } catch (const ValueError& e) {
      throw corrupt(std::string("the dyngraph structure metadata is not valid JSON (") + e.what() + ")");
    }
    const json::Value* root = description.is_object() ? description.find("root") : nullptr;
    if (!root) throw corrupt("the dyngraph structure metadata has no root");
    const json::Value* version = description.find("version");
    if (version && version->is_int() && version->integer > kFormatVersion)
      DG_FAIL(Error, "dg::load: ", source_, " was written by a newer dyngraph (format version ", version->integer,
              "); this one reads up to version ", kFormatVersion);

    // A dict node is {"dict" or "odict": [[key, value], ...], maybe "_metadata": ...};
    // a tensor node is {"tensor": name, maybe "requires_grad": true, ...}.
    if (!root->is_object() || root->object.empty()) return false;
    const auto& [kind, items] = root->object.front();
    if ((kind != "dict" && kind != "odict") || !items.is_array()) return false;
    std::vector<std::pair<std::string, const json::Value*>> tensors;
    for (const json::Value& item : items.array) {
      if (!item.is_array() || item.array.size() != 2 || !item.array[0].is_string()) return false;
      const json::Value& node = item.array[1];
      const json::Value* name = node.is_object() ? node.find("tensor") : nullptr;
      if (!name || !name->is_string()) return false;
      tensors.emplace_back(item.array[0].string, &node);
    }
    for (const auto& [key, node] : tensors) {
      Tensor t = tensor(node->find("tensor")->string);
      const json::Value* requires_grad = node->find("requires_grad");
      if (requires_grad && requires_grad->kind == json::Value::Kind::Bool && requires_grad->boolean)
        set_requires_grad(t, true);
      out[key] = t;
    }
    return true;
  }

  std::istream& in_;
  std::string source_;
  std::streampos data_start_;
  uint64_t data_size_ = 0;
  std::vector<std::pair<std::string, Entry>> entries_;  // in header order
  json::Value metadata_;
  std::map<std::string, Tensor> loaded_;
};

}  // namespace

void save(const std::map<std::string, Tensor>& tensors, std::ostream& out) { write_file(tensors, out, "the stream"); }

void save(const std::map<std::string, Tensor>& tensors, const std::string& path) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  DG_CHECK(file.is_open(), Error, "dg::save: can't open ", quoted(path), " for writing: ", std::strerror(errno));
  write_file(tensors, file, quoted(path));
  file.close();
  DG_CHECK(!file.fail(), Error, "dg::save: writing to ", quoted(path), " failed");
}

std::map<std::string, Tensor> load(std::istream& in) { return Reader(in, "the stream").read(); }

std::map<std::string, Tensor> load(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  DG_CHECK(file.is_open(), Error, "dg::load: can't open ", quoted(path), ": ", std::strerror(errno));
  return Reader(file, quoted(path)).read();
}

void save(const nn::Module& module, const std::string& path) { save(module.state_dict(), path); }

void load(nn::Module& module, const std::string& path, bool strict) { module.load_state_dict(load(path), strict); }

}  // namespace dg
