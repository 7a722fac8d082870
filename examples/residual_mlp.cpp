// A model of one's own in a few lines: a residual MLP on vectors. The paper's idea, y = relu(F(x) + x),
// needs no convolutions; identity shortcuts keep a deep stack of fully connected blocks trainable.
#include <ctnet/ctnet.hpp>

#include <cstdio>
#include <iostream>
#include <vector>

using namespace ctnet;

template <std::size_t Width>
using mlp_block = residual<sequential<linear<Width>, batch_norm, relu, linear<Width>, batch_norm>, identity>;

using residual_mlp = network<shape<784>,                      // a 28×28 image, flattened
                             linear<256>, batch_norm, relu,   // into the residual width
                             mlp_block<256>, mlp_block<256>, mlp_block<256>,
                             linear<10>>;                     // ten classes

static_assert(std::is_same_v<output_shape_t<residual_mlp>, shape<10>>);
static_assert(param_count_v<residual_mlp> == (784 * 256 + 256) + 512 + 3 * 2 * (256 * 256 + 256 + 512) + (2570));

int main() {
  print_summary<residual_mlp>(std::cout, "residual_mlp");
  model<residual_mlp> m(42);
  std::vector<float> x(4 * 784, 0.5f), y(4 * 10);
  m.forward(x, y);
  std::printf("logits of the first sample:");
  for (std::size_t k = 0; k < 10; ++k) std::printf(" %.4f", static_cast<double>(y[k]));
  std::printf("\n");
}
