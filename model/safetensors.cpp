#include "model/safetensors.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>

namespace thinkvla::model {

namespace {

struct DtypeInfo {
  const char* name;
  torch::ScalarType type;
  int64_t size;
};
const DtypeInfo kDtypes[] = {
    {"F64", torch::kFloat64, 8}, {"F32", torch::kFloat32, 4}, {"F16", torch::kFloat16, 2},
    {"BF16", torch::kBFloat16, 2}, {"I64", torch::kInt64, 8}, {"I32", torch::kInt32, 4},
    {"I16", torch::kInt16, 2},   {"I8", torch::kInt8, 1},     {"U8", torch::kUInt8, 1},
    {"BOOL", torch::kBool, 1},
};

const DtypeInfo* dtypeByName(const std::string& name) {
  for (const auto& d : kDtypes) {
    if (name == d.name) return &d;
  }
  return nullptr;
}
const DtypeInfo* dtypeByType(torch::ScalarType type) {
  for (const auto& d : kDtypes) {
    if (type == d.type) return &d;
  }
  return nullptr;
}

bool hostIsLittleEndian() {
  const uint16_t probe = 1;
  uint8_t first;
  std::memcpy(&first, &probe, 1);
  return first == 1;
}

}  // namespace

std::string serializeSafetensors(const NamedTensors& tensors,
                                 const std::map<std::string, std::string>& metadata) {
  if (!hostIsLittleEndian()) throw SafetensorsError("safetensors: big-endian hosts unsupported");
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::vector<torch::Tensor> contiguous;
  int64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    if (name == "__metadata__" || name.empty()) {
      throw SafetensorsError("safetensors: invalid tensor name '" + name + "'");
    }
    if (header.contains(name)) throw SafetensorsError("safetensors: duplicate tensor '" + name + "'");
    const auto* dt = dtypeByType(tensor.scalar_type());
    if (dt == nullptr) {
      throw SafetensorsError("safetensors: tensor '" + name + "' has an unsupported dtype " +
                             std::string(c10::toString(tensor.scalar_type())));
    }
    auto t = tensor.detach().to(torch::kCPU).contiguous();
    const int64_t bytes = t.numel() * dt->size;
    header[name] = {{"dtype", dt->name}, {"shape", t.sizes().vec()},
                    {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
    contiguous.push_back(std::move(t));
  }
  std::string json = header.dump();
  while ((json.size() + 8) % 8 != 0) json.push_back(' ');
  std::string out;
  out.reserve(8 + json.size() + static_cast<size_t>(offset));
  const uint64_t n = json.size();
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xFF));
  out += json;
  for (const auto& t : contiguous) {
    out.append(static_cast<const char*>(t.data_ptr()),
               static_cast<size_t>(t.numel() * t.element_size()));
  }
  return out;
}

void writeSafetensors(const std::string& path, const NamedTensors& tensors,
                      const std::map<std::string, std::string>& metadata) {
  const std::string bytes = serializeSafetensors(tensors, metadata);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.flush();
  if (!out) throw SafetensorsError(path + ": cannot write");
}

SafetensorsContents parseSafetensors(const std::string& bytes, const std::string& source) {
  if (!hostIsLittleEndian()) throw SafetensorsError("safetensors: big-endian hosts unsupported");
  auto fail = [&](const std::string& what) { throw SafetensorsError(source + ": " + what); };
  if (bytes.size() < 8) {
    fail("file is " + std::to_string(bytes.size()) + " bytes, shorter than the 8-byte header length");
  }
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= uint64_t(static_cast<uint8_t>(bytes[i])) << (8 * i);
  if (n > bytes.size() - 8) {
    fail("header length " + std::to_string(n) + " exceeds the " + std::to_string(bytes.size() - 8) +
         " bytes after it (truncated or corrupt file)");
  }
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(bytes.begin() + 8, bytes.begin() + 8 + static_cast<int64_t>(n));
  } catch (const nlohmann::json::exception& e) {
    fail(std::string("header is not valid JSON: ") + e.what());
  }
  if (!header.is_object()) fail("header is not a JSON object");
  const uint64_t data_size = bytes.size() - 8 - n;
  const char* data = bytes.data() + 8 + n;

  SafetensorsContents contents;
  struct Entry {
    std::string name;
    const DtypeInfo* dtype;
    std::vector<int64_t> shape;
    uint64_t begin, end;
  };
  std::vector<Entry> entries;
  for (auto it = header.begin(); it != header.end(); ++it) {
    const std::string& name = it.key();
    const auto& v = it.value();
    if (name == "__metadata__") {
      if (!v.is_object()) fail("__metadata__ is not an object");
      for (auto m = v.begin(); m != v.end(); ++m) {
        if (!m.value().is_string()) fail("__metadata__." + m.key() + " is not a string");
        contents.metadata[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    const std::string where = "tensor '" + name + "'";
    if (!v.is_object()) fail(where + " is not an object");
    if (!v.contains("dtype") || !v["dtype"].is_string()) fail(where + ": missing field 'dtype'");
    if (!v.contains("shape") || !v["shape"].is_array()) fail(where + ": missing field 'shape'");
    if (!v.contains("data_offsets") || !v["data_offsets"].is_array() ||
        v["data_offsets"].size() != 2) {
      fail(where + ": field 'data_offsets' must be [begin, end]");
    }
    Entry e;
    e.name = name;
    e.dtype = dtypeByName(v["dtype"].get<std::string>());
    if (e.dtype == nullptr) fail(where + ": unsupported dtype '" + v["dtype"].get<std::string>() + "'");
    uint64_t numel = 1;
    for (const auto& d : v["shape"]) {
      if (!d.is_number_unsigned() && !(d.is_number_integer() && d.get<int64_t>() >= 0)) {
        fail(where + ": field 'shape' holds a non-negative integer");
      }
      const auto dim = d.get<uint64_t>();
      if (dim != 0 && numel > std::numeric_limits<uint64_t>::max() / dim / 8) {
        fail(where + ": field 'shape' is too large");
      }
      numel *= dim;
      e.shape.push_back(static_cast<int64_t>(dim));
    }
    for (const auto& o : v["data_offsets"]) {
      if (!o.is_number_unsigned() && !(o.is_number_integer() && o.get<int64_t>() >= 0)) {
        fail(where + ": field 'data_offsets' holds non-negative integers");
      }
    }
    e.begin = v["data_offsets"][0].get<uint64_t>();
    e.end = v["data_offsets"][1].get<uint64_t>();
    if (e.end < e.begin) fail(where + ": data_offsets end before begin");
    if (e.end > data_size) {
      fail(where + ": data_offsets [" + std::to_string(e.begin) + ", " + std::to_string(e.end) +
           "] run past the " + std::to_string(data_size) + " data bytes (truncated file?)");
    }
    const uint64_t expected = numel * static_cast<uint64_t>(e.dtype->size);
    if (e.end - e.begin != expected) {
      fail(where + ": data_offsets span " + std::to_string(e.end - e.begin) +
           " bytes but dtype and shape need " + std::to_string(expected));
    }
    entries.push_back(std::move(e));
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  uint64_t cursor = 0;
  for (const auto& e : entries) {
    if (e.begin != cursor) {
      fail("tensor '" + e.name + "': data_offsets begin at " + std::to_string(e.begin) +
           (e.begin < cursor ? ", overlapping the previous tensor" : ", leaving a hole") +
           " (expected " + std::to_string(cursor) + ")");
    }
    cursor = e.end;
  }
  if (cursor != data_size) {
    fail("the tensors cover " + std::to_string(cursor) + " of the " + std::to_string(data_size) +
         " data bytes");
  }
  for (const auto& e : entries) {
    auto t = torch::empty(e.shape, torch::TensorOptions().dtype(e.dtype->type));
    if (e.end > e.begin) std::memcpy(t.data_ptr(), data + e.begin, e.end - e.begin);
    contents.tensors.emplace_back(e.name, std::move(t));
  }
  return contents;
}

SafetensorsContents readSafetensors(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw SafetensorsError(path + ": cannot open");
  std::ostringstream ss;
  ss << in.rdbuf();
  return parseSafetensors(ss.str(), path);
}

}  // namespace thinkvla::model
