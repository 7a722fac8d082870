// expect: residual: no shortcut turns this input into the body's shape
// shapes: shortcut_cannot_reach_body_shape<.*input_shape<8, ?8, ?8>.*body_shape<16, ?6, ?6>
// An unpadded 3×3 body shrinks 8×8 to 6×6: no stride of a 1×1 projection does that, so option B
// has no projection to offer.
#include <ctnet/ctnet.hpp>

using namespace ctnet;

using shrinking = network<shape<8, 8, 8>, residual<sequential<conv2d<16, 3, 1, 0>, batch_norm>, option_b>>;
using out = ctnet::output_shape_t<shrinking>;

int main() { return static_cast<int>(out::size); }
