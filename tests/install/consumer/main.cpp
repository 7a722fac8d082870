// Compiles against the installed ctnet headers only: proves that the exported target carries the
// include directories, the C++20 requirement and the xsimd/Boost dependencies, and that the
// installed ctnet_add_kernels links kernels that forward() dispatches to.
#include <ctnet/ctnet.hpp>

#include <cmath>
#include <iostream>
#include <vector>

#include "tiny_net.hpp"

// The canonical CIFAR ResNet-20 has 269,722 parameters; checked at compile time.
static_assert(ctnet::param_count_v<ctnet::models::cifar_resnet<20>> == 269722);

int main() {
  ctnet::model<tiny_net> m(1);
  const std::vector<float> x(2 * m.input_size, 0.5f);
  std::vector<float> fast(2 * m.output_size), reference(fast.size());
  m.forward(x, fast);
  m.forward_reference(x, reference);
  for (std::size_t i = 0; i < fast.size(); ++i)
    if (std::abs(fast[i] - reference[i]) > 1e-4f * (1 + std::abs(reference[i]))) {
      std::cerr << "output " << i << ": " << fast[i] << " from " << ctnet::active_arch() << ", reference "
                << reference[i] << '\n';
      return 1;
    }
  std::cout << "tiny_net ran on " << ctnet::active_arch() << " kernels, as the reference does\n";
  return 0;
}
