// expect: residual: no shortcut turns this input into the body's shape
// shapes: shortcut_cannot_reach_body_shape<.*input_shape<16, ?8, ?8>.*body_shape<8, ?8, ?8>
// zero_pad can only add channels: a body that narrows 16 channels to 8 leaves no zero_pad that
// reaches its shape, and the residual says so rather than suggest a zero_pad.
#include <ctnet/ctnet.hpp>

using namespace ctnet;

using narrowing = network<shape<16, 8, 8>, residual<sequential<conv2d<8, 3>, batch_norm>, zero_pad<>>>;

using out = ctnet::output_shape_t<narrowing>;

int main() { return static_cast<int>(out::size); }
