// Compiled once per architecture by ctnet_add_kernels, as the README shows.
#include "tiny_net.hpp"

CTNET_INSTANTIATE_KERNELS(tiny_net);
