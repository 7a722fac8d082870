// print_summary<Net>(out): one line per layer — path, kind, output shape, parameters and
// multiply-accumulates — then the totals, much as torchinfo prints a PyTorch model.
#pragma once
#include <cstddef>
#include <iomanip>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>

#include "../graph/network.hpp"
#include "tensors.hpp"

namespace ctnet {

namespace detail {
inline std::string with_thousands(std::size_t n) {
  std::string digits = std::to_string(n), grouped;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) grouped += ',';
    grouped += digits[i];
  }
  return grouped;
}
inline std::string extents_text(const std::array<std::size_t, 3>& e, std::size_t rank) {
  if (rank == 1) return std::to_string(e[0]);
  return std::to_string(e[0]) + "x" + std::to_string(e[1]) + "x" + std::to_string(e[2]);
}
}  // namespace detail

template <network_type Net>
void print_summary(std::ostream& out, std::string_view title = "network") {
  using detail::with_thousands;
  constexpr int path_width = 26, kind_width = 44, shape_width = 13, number_width = 14;
  const std::string rule(path_width + kind_width + shape_width + 2 * number_width, '-');

  std::ostringstream table;  // the caller's stream keeps its formatting flags
  table << std::left << std::setw(path_width) << title << std::setw(kind_width) << "layer" << std::setw(shape_width)
        << "output" << std::right << std::setw(number_width) << "params" << std::setw(number_width) << "MACs" << '\n'
        << rule << '\n'
        << std::left << std::setw(path_width) << "(input)" << std::setw(kind_width) << ""
        << std::setw(shape_width)
        << detail::extents_text(extents_of<typename Net::input>(), Net::input::rank) << '\n';
  std::size_t layers = 0;
  for_each_layer<Net>([&](std::string_view path, const layer_record& layer) {
    const std::string kind = std::string(layer.kind) + (layer.detail.empty() ? "" : " " + layer.detail);
    table << std::left << std::setw(path_width) << path << std::setw(kind_width) << kind << std::setw(shape_width)
          << detail::extents_text(layer.output, layer.output_rank) << std::right << std::setw(number_width)
          << (layer.params ? with_thousands(layer.params) : "-") << std::setw(number_width)
          << (layer.macs ? with_thousands(layer.macs) : "-") << '\n';
    ++layers;
  });

  std::size_t statistics = 0;
  for_each_tensor<Net>([&](const std::string&, const tensor_spec& t, std::size_t) {
    statistics += t.trainable ? 0 : t.count();
  });
  constexpr std::size_t params = param_count_v<Net>, macs = macs_v<Net>;
  table << rule << '\n'
        << "trainable params:     " << with_thousands(params) << " (" << std::fixed << std::setprecision(2)
        << params / 1e6 << " M)\n"
        << "BN running stats:     " << with_thousands(statistics) << " floats (not trainable)\n"
        << "multiply-accumulates: " << with_thousands(macs) << " per sample (" << std::setprecision(3) << macs / 1e9
        << " G)\n"
        << "weight buffer:        " << std::setprecision(2) << bound_t<Net>::storage * sizeof(float) / 1048576.0
        << " MiB in one aligned block\n"
        << "rows:                 " << layers << '\n';
  out << table.str();
}

}  // namespace ctnet
