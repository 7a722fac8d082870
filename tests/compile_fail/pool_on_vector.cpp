// expect: pooling: the input is a flat vector
// shapes: layer_needs_feature_map<.*input_shape<64>
// A 2×2 average pool on a 64-element vector.
#include <ctnet/ctnet.hpp>

using namespace ctnet;

using net = network<shape<64>, avg_pool<2>>;

using out = ctnet::output_shape_t<net>;

int main() { return static_cast<int>(out::size); }
