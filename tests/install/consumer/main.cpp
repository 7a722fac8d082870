// Compiles against the installed ctnet headers only: proves that the exported target
// carries the include directories, the C++20 requirement and the xsimd/Boost dependencies.
#include <ctnet/ctnet.hpp>

#include <iostream>

// The canonical CIFAR ResNet-20 has 269,722 parameters; checked at compile time.
static_assert(ctnet::param_count_v<ctnet::models::cifar_resnet<20>> == 269722);

int main() {
  std::cout << "cifar_resnet<20> output size: "
            << ctnet::output_shape_t<ctnet::models::cifar_resnet<20>>::size << '\n';
  return 0;
}
