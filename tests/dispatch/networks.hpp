// The network the dispatch test runs on every architecture: a small one with
// every layer kind on odd shapes (channels no multiple of any SIMD width, odd H and W, both
// shortcut options that change shape).
#pragma once
#include <ctnet/ctnet.hpp>

namespace ctnet::testing {

using every_layer_net =
    network<shape<3, 19, 17>, conv2d<7, 7, 2, 3>, batch_norm, relu, max_pool<3, 2, 1>,
            basic_block<7, 1, option_a>,                      // identity shortcut
            basic_block<11, 2, option_a>,                     // zero-padded, subsampled
            basic_block<13, 2, option_b>,                     // 1×1 projection + BN
            bottleneck<5, 1, option_b>, avg_pool<2, 1>, global_avg_pool, flatten, linear<9>>;

}  // namespace ctnet::testing
