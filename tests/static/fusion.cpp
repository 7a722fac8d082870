// What fuse_t makes of blocks and of the zoo, checked by compiling: the fused types, the kernels
// each network runs fused and unfused, and that both read the same weight buffer.
#include <ctnet/ctnet.hpp>

#include <type_traits>

namespace {
using namespace ctnet;
namespace m = ctnet::models;

template <class In, class... Layers>
using fused_layers = typename fuse_t<network<In, Layers...>>::layers;

// A basic block keeping its shape: conv+BN+relu, then conv+BN whose epilogue adds x and applies relu.
using conv3x3 = conv2d<64, 3, 1, 1>;
static_assert(std::is_same_v<fused_layers<shape<64, 56, 56>, basic_block<64>>,
                             sequential<fused_residual<sequential<conv_bn<conv3x3, true>>, conv_bn<conv3x3, false>,
                                                       option_b>>>);

// A bottleneck with a projection: three conv+BN, the last adding the projection (itself a conv+BN).
using projecting = fused_layers<shape<64, 56, 56>, bottleneck<64, 1, option_b>>;
using projecting_block = type_at<0, type_list<projecting>>;
static_assert(std::is_same_v<projecting,
                             sequential<fused_residual<sequential<conv_bn<conv2d<64, 1, 1, 0>, true>,
                                                                  conv_bn<conv2d<64, 3, 1, 1>, true>>,
                                                       conv_bn<conv2d<256, 1, 1, 0>, false>, option_b>>>);
using bound_projecting = bind<projecting, shape<64, 56, 56>>::child<0>;
static_assert(std::is_same_v<bound_projecting::shortcut_layer, sequential<conv_bn<conv2d<256, 1, 1, 0>, false>>>);
static_assert(!bound_projecting::adds_input);

// The head: global_avg_pool, flatten and linear become one step.
static_assert(std::is_same_v<fused_layers<shape<512, 7, 7>, global_avg_pool, flatten, linear<1000>>,
                             sequential<pooled_linear<1000>>>);
// What matches no pattern stays: a relu alone, a conv without batch norm.
static_assert(std::is_same_v<fused_layers<shape<3, 8, 8>, conv2d<4, 3>, relu, max_pool<2>>,
                             sequential<conv2d<4, 3>, relu, max_pool<2>>>);

// Kernels run. cifar_resnet<20>: unfused, the stem's 3 layers, 9 blocks of 5 layers and an add, the
// 2 zero-pad shortcuts, and the head's 3; fused, one per conv (19), the 2 zero-pads and the head.
static_assert(kernel_count_v<m::cifar_resnet<20>> == 3 + 9 * 6 + 2 + 3);
static_assert(kernel_count_v<fuse_t<m::cifar_resnet<20>>> == 19 + 2 + 1);
// resnet18: the stem's conv+BN+relu and max pool, 16 convs in blocks, 3 projections, the head.
static_assert(kernel_count_v<m::resnet18> == 4 + 8 * 6 + 3 * 2 + 3);
static_assert(kernel_count_v<fuse_t<m::resnet18>> == 2 + 16 + 3 + 1);
// resnet50: 16 bottlenecks of 3 convs, 4 projections.
static_assert(kernel_count_v<m::resnet50> == 4 + 16 * 9 + 4 * 2 + 3);
static_assert(kernel_count_v<fuse_t<m::resnet50>> == 2 + 16 * 3 + 4 + 1);
// The plain nets have no residual to fuse: one kernel per conv, a pool and the head.
static_assert(kernel_count_v<fuse_t<m::cifar_plain<20>>> == 19 + 1);

// Fused or not, the same weights at the same places.
static_assert(bound_t<fuse_t<m::resnet50>>::storage == bound_t<m::resnet50>::storage);
static_assert(bound_t<fuse_t<m::cifar_resnet<56>>>::storage == bound_t<m::cifar_resnet<56>>::storage);
static_assert(bound_t<fuse_t<m::resnet18>>::macs == macs_v<m::resnet18>);
}  // namespace
