// Reads and writes the safetensors format (https://github.com/huggingface/safetensors), the only
// weight format of our checkpoints: an 8-byte little-endian header length N, N bytes of JSON
// ({"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}}), then
// the raw little-endian tensor bytes. Python's safetensors loads what we write, and we load what it
// writes. Free functions; safe from any thread for distinct files.
#pragma once

#include <torch/torch.h>

#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace thinkvla::model {

// Thrown for unreadable or inconsistent files; the message names the file and the tensor or field.
struct SafetensorsError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

struct SafetensorsContents {
  std::map<std::string, std::string> metadata;
  NamedTensors tensors;  // in file order (sorted by offset)
};

// Serializes CPU copies of the tensors (any of F64 F32 F16 BF16 I64 I32 I16 I8 U8 BOOL). The header
// is padded with spaces to a multiple of 8 bytes, as the reference writer does.
std::string serializeSafetensors(const NamedTensors& tensors,
                                 const std::map<std::string, std::string>& metadata = {});
void writeSafetensors(const std::string& path, const NamedTensors& tensors,
                      const std::map<std::string, std::string>& metadata = {});

// Parses and validates everything: header length against the file size, JSON, dtypes, shapes,
// offsets that match the byte sizes, stay in the buffer and neither overlap nor leave holes.
SafetensorsContents parseSafetensors(const std::string& bytes, const std::string& source);
SafetensorsContents readSafetensors(const std::string& path);

}  // namespace thinkvla::model
