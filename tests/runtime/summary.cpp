// print_summary: paths as PyTorch names modules, shapes, counts and totals.
#include <ctnet/ctnet.hpp>

#include <catch2/catch.hpp>

#include <sstream>
#include <string>

namespace {
std::size_t count_lines_with(const std::string& text, const std::string& needle) {
  std::size_t count = 0;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) count += line.find(needle) != std::string::npos;
  return count;
}
}  // namespace

TEST_CASE("the summary of cifar_resnet<20> lists every layer with its path and the totals", "[summary]") {
  std::ostringstream out;
  ctnet::print_summary<ctnet::models::cifar_resnet<20>>(out, "resnet20");
  const std::string text = out.str();
  INFO(text);
  CHECK(text.find("resnet20") != std::string::npos);
  CHECK(text.find("layer2.0.downsample") != std::string::npos);
  CHECK(text.find("zero_pad subsample /2, +16 channels (even)") != std::string::npos);
  CHECK(text.find("layer3.2.conv2") != std::string::npos);
  CHECK(text.find("64x8x8") != std::string::npos);
  CHECK(text.find("269,722") != std::string::npos);
  CHECK(text.find("40,551,040") != std::string::npos);
  CHECK(count_lines_with(text, "conv2d 3x3") == 19);
  CHECK(count_lines_with(text, "residual relu(body + identity)") == 7);
  CHECK(count_lines_with(text, "residual relu(body + zero_pad)") == 2);
}

TEST_CASE("the summary of resnet50 names its projections as torchvision does", "[summary]") {
  std::ostringstream out;
  ctnet::print_summary<ctnet::models::resnet50>(out);
  const std::string text = out.str();
  CHECK(count_lines_with(text, "downsample.0 ") == 4);
  CHECK(text.find("layer4.2.conv3") != std::string::npos);
  CHECK(text.find("25,557,032") != std::string::npos);
  CHECK(text.find("2048x7x7") != std::string::npos);
}
