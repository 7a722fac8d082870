// The dispatch test's kernel translation unit: compiled once per architecture by ctnet_add_kernels.
#include "networks.hpp"

CTNET_INSTANTIATE_KERNELS(ctnet::testing::every_layer_net);
