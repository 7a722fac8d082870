// ctnet: neural networks, above all deep residual networks, declared as C++ types.
// One include for users; each concept lives in its own header below.
#pragma once

#include "diagnostics.hpp"
#include "error.hpp"
#include "shape.hpp"

#include "layers/batch_norm.hpp"
#include "layers/conv2d.hpp"
#include "layers/flatten.hpp"
#include "layers/linear.hpp"
#include "layers/pool.hpp"
#include "layers/relu.hpp"

#include "graph/named.hpp"
#include "graph/network.hpp"
#include "graph/residual.hpp"
#include "graph/sequential.hpp"
#include "graph/shortcut.hpp"

#include "models/blocks.hpp"
#include "models/cifar.hpp"
#include "models/resnet.hpp"

#include "fusion/fuse.hpp"

#include "runtime/model.hpp"
#include "runtime/profile.hpp"
#include "runtime/summary.hpp"
#include "runtime/tensors.hpp"

#include "io/safetensors.hpp"
#include "io/weights.hpp"
