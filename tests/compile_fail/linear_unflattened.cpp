// expect: linear: the input is a C.*H.*W feature map
// shapes: linear_needs_flattened_input<.*input_shape<4, ?8, ?8>
// linear<10> straight after a convolution, without flatten.
#include <ctnet/ctnet.hpp>

using namespace ctnet;

using net = network<shape<3, 8, 8>, conv2d<4, 3>, linear<10>>;

using out = ctnet::output_shape_t<net>;

int main() { return static_cast<int>(out::size); }
