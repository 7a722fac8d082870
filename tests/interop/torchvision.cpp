// ctnet gives PyTorch's answers: models exported by tools/export_torchvision.py (weights with
// non-trivial BN statistics, a batch of 2 inputs and PyTorch's logits for them) are loaded by
// name and run. The exports are made by CTest fixtures into CTNET_INTEROP_DIR.
#include <ctnet/ctnet.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

namespace {
namespace fs = std::filesystem;
using namespace ctnet;

fs::path export_dir() {
  const char* dir = std::getenv("CTNET_INTEROP_DIR");
  if (!dir) FAIL("CTNET_INTEROP_DIR is not set: run these tests through ctest, which exports the models first");
  return dir;
}

std::vector<float> read_tensor(const safetensors::file& f, const std::string& name) {
  const auto* t = f.find(name);
  REQUIRE(t != nullptr);
  std::vector<float> values(t->count());
  f.read_float32(*t, values);
  return values;
}

double max_abs_difference(const std::vector<float>& a, const std::vector<float>& b) {
  REQUIRE(a.size() == b.size());
  double worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(static_cast<double>(a[i]) - b[i]));
  return worst;
}

// Loads `<name>.safetensors`, runs the reference input, compares with PyTorch's output; then
// save → load must reproduce the buffer bit for bit.
template <network_type Net>
void matches_pytorch(const std::string& name, double tolerance = 1e-4) {
  const fs::path dir = export_dir();
  model<Net> m;
  m.load(dir / (name + ".safetensors"));
  const auto reference = safetensors::file::read(dir / (name + ".reference.safetensors"));
  const auto input = read_tensor(reference, "input");
  const auto expected = read_tensor(reference, "output");
  REQUIRE(input.size() == 2 * model<Net>::input_size);

  // The export's BN statistics are not the initial 0 and 1: normalisation is really exercised.
  const auto mean = m.tensor("bn1.running_mean");
  const auto var = m.tensor("bn1.running_var");
  REQUIRE(std::any_of(mean.begin(), mean.end(), [](float v) { return v != 0.0f; }));
  REQUIRE(std::any_of(var.begin(), var.end(), [](float v) { return v != 1.0f; }));

  std::vector<float> logits(expected.size());
  m.forward(input, logits);
  const double error = max_abs_difference(logits, expected);
  const double scale = std::abs(*std::max_element(expected.begin(), expected.end(),
                                                  [](float a, float b) { return std::abs(a) < std::abs(b); }));
  INFO(name << ": max |ctnet - PyTorch| = " << error << " on logits up to " << scale);
  CHECK(error <= tolerance);

  const fs::path copy = dir / (name + ".ctnet-copy.safetensors");
  m.save(copy);
  model<Net> reloaded(12345);
  reloaded.load(copy);
  REQUIRE(std::memcmp(reloaded.buffer().data(), m.buffer().data(), m.buffer().size_bytes()) == 0);
  std::vector<float> again(expected.size());
  reloaded.forward(input, again);
  REQUIRE(again == logits);
}
}  // namespace

TEST_CASE("resnet18 matches torchvision", "[interop][resnet18]") { matches_pytorch<models::resnet18>("resnet18"); }

TEST_CASE("resnet50 matches torchvision", "[interop][resnet50]") { matches_pytorch<models::resnet50>("resnet50"); }

TEST_CASE("cifar_resnet<20> matches the PyTorch CIFAR ResNet-20 (option A)", "[interop][cifar_resnet20]") {
  matches_pytorch<models::cifar_resnet<20>>("cifar_resnet20");
}

TEST_CASE("cifar_resnet<20, option_b> and cifar_plain<20> match their PyTorch twins", "[interop][cifar_variants]") {
  matches_pytorch<models::cifar_resnet<20, option_b>>("cifar_resnet20_b");
  matches_pytorch<models::cifar_plain<20>>("cifar_plain20");
}

TEST_CASE("float16 and bfloat16 exports load, converted, and still match", "[interop][dtypes]") {
  matches_pytorch<models::cifar_resnet<20>>("cifar_resnet20_f16");
  matches_pytorch<models::cifar_resnet<20>>("cifar_resnet20_bf16");
}
