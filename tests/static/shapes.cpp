// Shape inference of single layers and of user-defined networks, checked by compiling.
#include <ctnet/ctnet.hpp>

#include <type_traits>

namespace {
using namespace ctnet;

template <class Layer, class In>
using out = typename bind<Layer, In>::output;

// Window arithmetic as PyTorch's floor mode: (in + 2p − k) / s + 1.
static_assert(std::is_same_v<out<conv2d<64, 7, 2, 3>, shape<3, 224, 224>>, shape<64, 112, 112>>);
static_assert(std::is_same_v<out<conv2d<8, 3, 2, 1>, shape<3, 7, 5>>, shape<8, 4, 3>>);
static_assert(std::is_same_v<out<conv2d<8, 3, 1, 0>, shape<3, 3, 3>>, shape<8, 1, 1>>);
static_assert(std::is_same_v<out<conv2d_with_bias<4, 1>, shape<3, 5, 5>>, shape<4, 5, 5>>);
static_assert(std::is_same_v<out<max_pool<3, 2, 1>, shape<64, 112, 112>>, shape<64, 56, 56>>);
static_assert(std::is_same_v<out<avg_pool<2>, shape<5, 7, 7>>, shape<5, 3, 3>>);
static_assert(std::is_same_v<out<global_avg_pool, shape<64, 8, 8>>, shape<64, 1, 1>>);
static_assert(std::is_same_v<out<flatten, shape<64, 2, 3>>, shape<384>>);
static_assert(std::is_same_v<out<linear<10>, shape<64>>, shape<10>>);
static_assert(std::is_same_v<out<batch_norm, shape<7>>, shape<7>>);

// Parameters: conv has no bias unless asked; BN counts gamma and beta, not its statistics.
static_assert(bind<conv2d<16, 3>, shape<3, 8, 8>>::params == 16 * 3 * 9);
static_assert(bind<conv2d_with_bias<16, 3>, shape<3, 8, 8>>::params == 16 * 3 * 9 + 16);
static_assert(bind<batch_norm, shape<16, 8, 8>>::params == 32);
static_assert(bind<linear<10>, shape<64>>::params == 650);
static_assert(bind<conv2d<16, 3>, shape<3, 8, 8>>::macs == 16 * 8 * 8 * 3 * 9);

// The DESIGN's tiny network: an option A block written by hand.
using tiny = network<shape<3, 32, 32>, conv2d<16, 3>, batch_norm, relu,
                     residual<sequential<conv2d<32, 3, 2>, batch_norm, relu, conv2d<32, 3>, batch_norm>, zero_pad<>>,
                     global_avg_pool, flatten, linear<10>>;
static_assert(std::is_same_v<output_shape_t<tiny>, shape<10>>);
static_assert(param_count_v<tiny> == 432 + 32 + 4608 + 64 + 9216 + 64 + 330);

// Shortcut resolution from the shapes: option A pads, B projects, both keep identity otherwise.
static_assert(std::is_same_v<resolve_shortcut_t<option_a, shape<16, 32, 32>, shape<16, 32, 32>>, identity>);
static_assert(std::is_same_v<resolve_shortcut_t<option_a, shape<16, 32, 32>, shape<32, 16, 16>>,
                             zero_pad_to<channel_padding::even, spatial_reduction::subsample, 32, 2>>);
static_assert(std::is_same_v<resolve_shortcut_t<option_b, shape<16, 32, 32>, shape<32, 16, 16>>,
                             sequential<conv2d<32, 1, 2, 0>, batch_norm>>);
static_assert(std::is_same_v<resolve_shortcut_t<option_c, shape<16, 8, 8>, shape<16, 8, 8>>,
                             sequential<conv2d<16, 1, 1, 0>, batch_norm>>);
// Odd sizes: 7 → 4 is a stride-2 block (as a 3×3/2 conv with padding 1 produces).
static_assert(std::is_same_v<resolve_shortcut_t<option_a, shape<8, 7, 7>, shape<16, 4, 4>>,
                             zero_pad_to<channel_padding::even, spatial_reduction::subsample, 16, 2>>);

// Nesting to any depth changes nothing.
using nested = network<shape<4, 6, 6>, sequential<sequential<conv2d<4, 3>, sequential<batch_norm>>, relu>>;
using flat = network<shape<4, 6, 6>, conv2d<4, 3>, batch_norm, relu>;
static_assert(std::is_same_v<output_shape_t<nested>, output_shape_t<flat>>);
static_assert(param_count_v<nested> == param_count_v<flat>);

// A residual MLP: the paper's idea on vectors.
using mlp = network<shape<32>, linear<64>, relu, residual<sequential<linear<64>, batch_norm, relu, linear<64>>>,
                    linear<4>>;
static_assert(std::is_same_v<output_shape_t<mlp>, shape<4>>);
static_assert(param_count_v<mlp> == (32 * 64 + 64) + (64 * 64 + 64) + 128 + (64 * 64 + 64) + (64 * 4 + 4));

}  // namespace
