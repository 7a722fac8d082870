// Loads a model exported from PyTorch and prints the five most likely classes for each input.
//
//   /usr/bin/python3 tools/export_torchvision.py --model resnet18 --weights my.pth
//       --out resnet18.safetensors --reference input.safetensors      (one command)
//   top5 resnet18 resnet18.safetensors input.safetensors
//
// The input file holds a tensor "input" of shape [N, C, H, W] (float32, normalised as the model
// was trained); the exporter's --reference file is one. Class names are printed when the weights
// file's metadata carries them (key "classes", a JSON list), as the exporter writes for ImageNet.
#include <ctnet/ctnet.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <string>
#include <vector>

namespace {

std::vector<std::string> class_names(const ctnet::safetensors::file& weights) {
  const auto found = weights.metadata().find("classes");
  if (found == weights.metadata().end()) return {};
  try {
    return nlohmann::json::parse(found->second).get<std::vector<std::string>>();
  } catch (const nlohmann::json::exception&) {
    return {};  // names are a courtesy: without them, indices
  }
}

template <ctnet::network_type Net>
void top5(const char* weights_path, const char* input_path) {
  ctnet::model<Net> m;
  m.load(weights_path);
  const auto names = class_names(ctnet::safetensors::file::read(weights_path));

  const auto inputs = ctnet::safetensors::file::read(input_path);
  const auto* input = inputs.find("input");
  if (!input) throw ctnet::error(std::string(input_path) + ": no tensor named \"input\"");
  std::vector<float> x(input->count());
  inputs.read_float32(*input, x);
  const std::size_t batch = x.size() / m.input_size;
  std::vector<float> logits(batch * m.output_size);
  m.forward(x, logits);  // throws, naming the sizes, if the input does not fit the model

  for (std::size_t n = 0; n < batch; ++n) {
    const float* row = logits.data() + n * m.output_size;
    const float top = *std::max_element(row, row + m.output_size);
    double total = 0;
    for (std::size_t k = 0; k < m.output_size; ++k) total += std::exp(static_cast<double>(row[k] - top));
    std::vector<std::size_t> order(m.output_size);
    std::iota(order.begin(), order.end(), 0);
    std::partial_sort(order.begin(), order.begin() + 5, order.end(), [&](auto a, auto b) { return row[a] > row[b]; });
    std::printf("image %zu\n", n);
    for (std::size_t r = 0; r < 5 && r < m.output_size; ++r) {
      const std::size_t k = order[r];
      std::printf("  %5.1f%%  %4zu  %s\n", 100.0 * std::exp(static_cast<double>(row[k] - top)) / total, k,
                  k < names.size() ? names[k].c_str() : "");
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s resnet18|resnet34|resnet50|cifar_resnet20 <weights.safetensors> <input.safetensors>\n",
                 argv[0]);
    return 2;
  }
  const std::string model = argv[1];
  try {
    if (model == "resnet18") top5<ctnet::models::resnet18>(argv[2], argv[3]);
    else if (model == "resnet34") top5<ctnet::models::resnet34>(argv[2], argv[3]);
    else if (model == "resnet50") top5<ctnet::models::resnet50>(argv[2], argv[3]);
    else if (model == "cifar_resnet20") top5<ctnet::models::cifar_resnet<20>>(argv[2], argv[3]);
    else {
      std::fprintf(stderr, "unknown model '%s'\n", argv[1]);
      return 2;
    }
  } catch (const ctnet::error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
