// A network small enough to compile quickly once per architecture.
#pragma once
#include <ctnet/ctnet.hpp>

using tiny_net = ctnet::network<ctnet::shape<3, 9, 9>, ctnet::conv2d<8, 3, 2>, ctnet::batch_norm, ctnet::relu,
                                ctnet::global_avg_pool, ctnet::flatten, ctnet::linear<4>>;
