// expect: pooling: the window does not fit in the padded input
// shapes: pool_output_empty<.*input_shape<2, ?3, ?3>.*kernel<5>.*stride<1>.*padding<0>
// A 5×5 max-pool window without padding on a 3×3 input.
#include <ctnet/ctnet.hpp>

using namespace ctnet;

using net = network<shape<2, 3, 3>, max_pool<5, 1, 0>>;

using out = ctnet::output_shape_t<net>;

int main() { return static_cast<int>(out::size); }
