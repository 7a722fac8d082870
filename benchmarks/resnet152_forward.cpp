// The compile-cost probe: one translation unit that instantiates ResNet-152's whole forward pass
// (and its summary and initialisation). compile_cost.sh times building it.
#include <ctnet/ctnet.hpp>

#include <cstdlib>
#include <iostream>
#include <vector>

int main() {
  ctnet::model<ctnet::models::resnet152> m(1);
  std::vector<float> x(m.input_size), y(m.output_size);
  if (std::getenv("CTNET_RUN_RESNET152")) m.forward(x, y);  // minutes with the reference kernels
  ctnet::print_summary<ctnet::models::resnet152>(std::cout, "resnet152");
}
