// expect-success
// The control: valid networks, which must compile. If this "fails", the harness is broken.
// DESIGN.md's tiny network with the zero_pad<> shortcut it needs, the same with a projection
// shortcut, and the CIFAR nets at valid depths.
#include <ctnet/ctnet.hpp>
#include <type_traits>

using namespace ctnet;

using body = sequential<conv2d<32, 3, 2>, batch_norm, relu, conv2d<32, 3>, batch_norm>;

using tiny_a = network<shape<3, 32, 32>, conv2d<16, 3>, batch_norm, relu, residual<body, zero_pad<>>,
                       global_avg_pool, flatten, linear<10>>;
using tiny_b = network<shape<3, 32, 32>, conv2d<16, 3>, batch_norm, relu, residual<body, projection>,
                       global_avg_pool, flatten, linear<10>>;

static_assert(std::is_same_v<output_shape_t<tiny_a>, shape<10>>);
static_assert(std::is_same_v<output_shape_t<tiny_b>, shape<10>>);
// The projection adds a 1×1 conv (16·32 weights) and a batch_norm (2·32) to the zero_pad net.
static_assert(param_count_v<tiny_b> == param_count_v<tiny_a> + 16 * 32 + 2 * 32);

static_assert(param_count_v<models::cifar_resnet<20>> == 269'722);
static_assert(std::is_same_v<output_shape_t<models::cifar_plain<8>>, shape<10>>);

int main() { return 0; }
