// Reading and writing safetensors files: an 8-byte little-endian header length, a JSON header
// mapping each tensor name to its dtype, shape and byte range, then the raw little-endian data.
// Everything a file claims is checked before any of it is used; every failure is a ctnet::error
// that names the file and the problem.
#pragma once
#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "../error.hpp"
#include "float_formats.hpp"

#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>  // fsync
#endif

namespace ctnet::safetensors {

static_assert(std::endian::native == std::endian::little,
              "ctnet::safetensors: reading little-endian data on a big-endian machine is not implemented");

struct tensor_info {
  std::string name;
  std::string dtype;  // as in the file: "F32", "F16", "BF16", "F64", "I64", ...
  std::vector<std::size_t> shape;
  std::size_t begin = 0, end = 0;  // bytes, relative to the data section

  std::size_t count() const {
    std::size_t n = 1;
    for (std::size_t d : shape) n *= d;
    return n;
  }
};

inline std::string shape_text(std::span<const std::size_t> shape) {
  std::string text = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

// Bytes per element of the dtypes safetensors defines; 0 for a name it does not.
inline std::size_t element_size(std::string_view dtype) {
  static const std::map<std::string_view, std::size_t> sizes{
      {"F64", 8}, {"F32", 4}, {"F16", 2}, {"BF16", 2}, {"I64", 8}, {"U64", 8}, {"I32", 4}, {"U32", 4},
      {"I16", 2}, {"U16", 2}, {"I8", 1},  {"U8", 1},   {"BOOL", 1}, {"F8_E4M3", 1}, {"F8_E5M2", 1}};
  const auto found = sizes.find(dtype);
  return found == sizes.end() ? 0 : found->second;
}

// A safetensors file read into memory and checked: sizes, JSON, offsets in range, no overlaps,
// each tensor's byte count matching its dtype and shape.
class file {
 public:
  static file read(const std::filesystem::path& path) {
    file f;
    f.path_ = path.string();
    std::ifstream in(path, std::ios::binary);
    if (!in) f.fail("cannot open the file");
    in.seekg(0, std::ios::end);
    const auto size = static_cast<std::size_t>(in.tellg());
    in.seekg(0);
    f.bytes_.resize(size);
    if (size > 0 && !in.read(reinterpret_cast<char*>(f.bytes_.data()), static_cast<std::streamsize>(size)))
      f.fail("cannot read the file");
    f.parse();
    return f;
  }

  const std::vector<tensor_info>& tensors() const { return tensors_; }
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  const std::string& path() const { return path_; }

  const tensor_info* find(std::string_view name) const {
    const auto it = std::find_if(tensors_.begin(), tensors_.end(), [&](const tensor_info& t) { return t.name == name; });
    return it == tensors_.end() ? nullptr : &*it;
  }

  // The tensor's values as float32 into out (out.size() == t.count()); F16, BF16 and F64 are converted.
  void read_float32(const tensor_info& t, std::span<float> out) const {
    if (out.size() != t.count())
      fail("tensor '" + t.name + "' has " + std::to_string(t.count()) + " values, not the " +
           std::to_string(out.size()) + " expected");
    const std::uint8_t* data = bytes_.data() + data_start_ + t.begin;
    const auto each = [&](auto element, auto widen) {
      for (std::size_t i = 0; i < out.size(); ++i) {
        decltype(element) value;
        std::memcpy(&value, data + i * sizeof value, sizeof value);
        out[i] = widen(value);
      }
    };
    if (t.dtype == "F32") std::memcpy(out.data(), data, out.size() * sizeof(float));
    else if (t.dtype == "F16") each(std::uint16_t{}, from_float16);
    else if (t.dtype == "BF16") each(std::uint16_t{}, from_bfloat16);
    else if (t.dtype == "F64") each(double{}, [](double v) { return static_cast<float>(v); });
    else fail("tensor '" + t.name + "' has dtype " + t.dtype + "; weights must be F32, F16, BF16 or F64");
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw error("safetensors file '" + path_ + "': " + what);
  }

 private:
  void parse() {
    if (bytes_.size() < 8)
      fail("truncated: " + std::to_string(bytes_.size()) + " bytes, too short for the 8-byte header length");
    std::uint64_t header_length = 0;
    std::memcpy(&header_length, bytes_.data(), 8);
    if (header_length > bytes_.size() - 8)
      fail("the header length " + std::to_string(header_length) + " runs past the end of the file (" +
           std::to_string(bytes_.size()) + " bytes): truncated or not a safetensors file");
    data_start_ = 8 + static_cast<std::size_t>(header_length);
    const std::size_t data_size = bytes_.size() - data_start_;

    nlohmann::json header;
    try {
      header = nlohmann::json::parse(bytes_.begin() + 8, bytes_.begin() + static_cast<std::ptrdiff_t>(data_start_));
    } catch (const nlohmann::json::exception& e) {
      fail(std::string("malformed JSON header: ") + e.what());
    }
    if (!header.is_object()) fail("the JSON header is not an object");

    for (const auto& [name, entry] : header.items()) {
      if (name == "__metadata__") {
        if (!entry.is_object()) fail("__metadata__ is not an object");
        for (const auto& [key, value] : entry.items())
          if (value.is_string()) metadata_[key] = value.get<std::string>();
        continue;
      }
      tensors_.push_back(describe(name, entry, data_size));
    }
    check_overlaps();
  }

  tensor_info describe(const std::string& name, const nlohmann::json& entry, std::size_t data_size) const {
    const auto bad = [&](const std::string& what) { fail("tensor '" + name + "': " + what); };
    if (!entry.is_object()) bad("its entry is not an object");
    if (!entry.contains("dtype") || !entry["dtype"].is_string()) bad("no dtype string");
    if (!entry.contains("shape") || !entry["shape"].is_array()) bad("no shape array");
    if (!entry.contains("data_offsets") || !entry["data_offsets"].is_array() || entry["data_offsets"].size() != 2)
      bad("no data_offsets pair");
    tensor_info t;
    t.name = name;
    t.dtype = entry["dtype"].get<std::string>();
    for (const auto& d : entry["shape"]) {
      if (!d.is_number_unsigned()) bad("the shape holds something other than sizes");
      t.shape.push_back(d.get<std::size_t>());
    }
    for (const auto& o : entry["data_offsets"])
      if (!o.is_number_unsigned()) bad("data_offsets are not byte offsets");
    t.begin = entry["data_offsets"][0].get<std::size_t>();
    t.end = entry["data_offsets"][1].get<std::size_t>();
    if (t.begin > t.end) bad("data_offsets [" + std::to_string(t.begin) + ", " + std::to_string(t.end) + "] run backwards");
    if (t.end > data_size)
      bad("data_offsets [" + std::to_string(t.begin) + ", " + std::to_string(t.end) + "] lie beyond the " +
          std::to_string(data_size) + " bytes of data in the file (truncated data, or offsets out of range)");
    const std::size_t size = element_size(t.dtype);
    if (size != 0 && t.end - t.begin != t.count() * size)
      bad(std::to_string(t.end - t.begin) + " bytes of data for " + std::to_string(t.count()) + " " + t.dtype +
          " values of shape " + shape_text(t.shape) + " (" + std::to_string(t.count() * size) + " bytes)");
    return t;
  }

  void check_overlaps() const {
    std::vector<const tensor_info*> by_start;
    for (const auto& t : tensors_) by_start.push_back(&t);
    std::sort(by_start.begin(), by_start.end(), [](auto* a, auto* b) { return a->begin < b->begin; });
    for (std::size_t i = 1; i < by_start.size(); ++i) {
      const tensor_info &a = *by_start[i - 1], &b = *by_start[i];
      if (b.begin < a.end && b.begin != b.end)
        fail("tensors '" + a.name + "' [" + std::to_string(a.begin) + ", " + std::to_string(a.end) + ") and '" + b.name +
             "' [" + std::to_string(b.begin) + ", " + std::to_string(b.end) + ") overlap");
    }
  }

  std::string path_;
  std::vector<std::uint8_t> bytes_;
  std::size_t data_start_ = 0;
  std::vector<tensor_info> tensors_;
  std::map<std::string, std::string> metadata_;
};

// One float32 tensor to write.
struct float_tensor {
  std::string name;
  std::vector<std::size_t> shape;
  std::span<const float> data;
};

// Writes float32 tensors in the order given. The file appears whole or not at all: the bytes go
// to a temporary file beside it, which is flushed to disk and then renamed over `path`.
inline void write(const std::filesystem::path& path, std::span<const float_tensor> tensors,
                  const std::map<std::string, std::string>& metadata = {}) {
  const auto fail = [&](const std::string& what) { throw error("safetensors file '" + path.string() + "': " + what); };
  nlohmann::ordered_json header;
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::size_t offset = 0;
  for (const auto& t : tensors) {
    const std::size_t bytes = t.data.size() * sizeof(float);
    header[t.name] = {{"dtype", "F32"}, {"shape", t.shape}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string text = header.dump();
  text.append((8 - (8 + text.size()) % 8) % 8, ' ');  // the data starts 8-byte aligned
  const std::uint64_t length = text.size();

  std::filesystem::path temporary = path;
  temporary += ".partial";
  std::FILE* out = std::fopen(temporary.string().c_str(), "wb");
  if (!out) fail("cannot create '" + temporary.string() + "': " + std::strerror(errno));
  bool ok = std::fwrite(&length, 8, 1, out) == 1 && std::fwrite(text.data(), 1, text.size(), out) == text.size();
  for (const auto& t : tensors)
    ok = ok && (t.data.empty() || std::fwrite(t.data.data(), sizeof(float), t.data.size(), out) == t.data.size());
  ok = std::fflush(out) == 0 && ok;
#if defined(__unix__) || defined(__APPLE__)
  ok = ok && ::fsync(fileno(out)) == 0;
#endif
  ok = std::fclose(out) == 0 && ok;
  std::error_code ec;
  if (ok) std::filesystem::rename(temporary, path, ec);
  if (!ok || ec) {
    std::filesystem::remove(temporary, ec);
    fail("writing failed (disk full or not writable?); the previous file, if any, is untouched");
  }
}

}  // namespace ctnet::safetensors
