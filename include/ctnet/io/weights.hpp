// A network's weights to and from safetensors, by PyTorch state_dict name. Loading fills a copy
// of the buffer and hands it back only when every tensor has arrived whole: a bad file never
// leaves a model half-loaded.
#pragma once
#include <cstddef>
#include <filesystem>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "../error.hpp"
#include "../graph/network.hpp"
#include "../runtime/tensors.hpp"
#include "safetensors.hpp"

namespace ctnet {

struct load_options {
  // Tensors in the file that the network does not have are an error, since they usually mean the
  // file is for another network; set this to skip them (e.g. a checkpoint with optimizer state).
  // num_batches_tracked, which inference never needs, is always skipped.
  bool ignore_extra = false;
};

// Reads every tensor of Net from `path` into `buffer` (which must hold bound_t<Net>::storage
// floats). On error, throws ctnet::error and leaves `buffer` as it was.
template <network_type Net>
void load_weights(const std::filesystem::path& path, std::span<float> buffer, const load_options& options = {}) {
  const auto f = safetensors::file::read(path);
  std::vector<float> loaded(buffer.begin(), buffer.end());
  std::set<std::string> used;
  std::vector<std::string> missing;
  for_each_tensor<Net>([&](const std::string& name, const tensor_spec& spec, std::size_t offset) {
    const safetensors::tensor_info* t = f.find(name);
    if (!t) {
      missing.push_back(name);
      return;
    }
    const std::span<const std::size_t> expected(spec.dims.data(), spec.rank);
    if (!std::equal(expected.begin(), expected.end(), t->shape.begin(), t->shape.end()))
      f.fail("tensor '" + name + "' has shape " + safetensors::shape_text(t->shape) + ", but the network expects " +
             safetensors::shape_text(expected));
    f.read_float32(*t, std::span(loaded).subspan(offset, spec.count()));
    used.insert(name);
  });
  if (!missing.empty()) {
    std::string list;
    for (std::size_t i = 0; i < missing.size() && i < 5; ++i) list += (i ? ", " : "") + missing[i];
    f.fail(std::to_string(missing.size()) + " tensor(s) of the network are missing: " + list +
           (missing.size() > 5 ? ", ..." : ""));
  }
  if (!options.ignore_extra) {
    for (const auto& t : f.tensors())
      if (!used.count(t.name) && !t.name.ends_with("num_batches_tracked"))
        f.fail("tensor '" + t.name + "' is not part of this network (load with load_options{.ignore_extra = true} to skip it)");
  }
  std::copy(loaded.begin(), loaded.end(), buffer.begin());
}

// Writes every tensor of Net as float32, named and shaped as PyTorch's state_dict.
template <network_type Net>
void save_weights(const std::filesystem::path& path, std::span<const float> buffer) {
  std::vector<safetensors::float_tensor> tensors;
  for_each_tensor<Net>([&](const std::string& name, const tensor_spec& spec, std::size_t offset) {
    tensors.push_back({name, {spec.dims.begin(), spec.dims.begin() + static_cast<long>(spec.rank)},
                       buffer.subspan(offset, spec.count())});
  });
  safetensors::write(path, tensors, {{"format", "pt"}, {"writer", "ctnet"}});
}

}  // namespace ctnet
