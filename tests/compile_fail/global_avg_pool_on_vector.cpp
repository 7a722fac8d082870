// expect: global_avg_pool: the input is a flat vector already
// shapes: layer_needs_feature_map<.*input_shape<256>
// flatten, then global_avg_pool: the pool comes too late.
#include <ctnet/ctnet.hpp>

using namespace ctnet;

using net = network<shape<16, 4, 4>, flatten, global_avg_pool, linear<10>>;

using out = ctnet::output_shape_t<net>;

int main() { return static_cast<int>(out::size); }
