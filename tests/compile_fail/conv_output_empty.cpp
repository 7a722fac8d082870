// expect: conv2d: the kernel does not fit in the padded input
// shapes: conv_output_empty<.*input_shape<3, ?4, ?4>.*kernel<7>.*stride<1>.*padding<0>
// A 7×7 kernel without padding on a 4×4 input.
#include <ctnet/ctnet.hpp>

using namespace ctnet;

using net = network<shape<3, 4, 4>, conv2d<8, 7, 1, 0>>;

using out = ctnet::output_shape_t<net>;

int main() { return static_cast<int>(out::size); }
