// expect: residual: body and shortcut shapes differ
// shapes: residual_shape_mismatch<.*body_shape<32, ?16, ?16>.*shortcut_shape<16, ?32, ?32>
// DESIGN.md's tiny network with `identity` in place of `zero_pad<>`: the body strides to
// 32×16×16 while the shortcut passes the 16×32×32 input through.
#include <ctnet/ctnet.hpp>

using namespace ctnet;

using tiny =
    network<shape<3, 32, 32>, conv2d<16, 3>, batch_norm, relu,
            residual<sequential<conv2d<32, 3, 2>, batch_norm, relu, conv2d<32, 3>, batch_norm>, identity>,
            global_avg_pool, flatten, linear<10>>;

using out = ctnet::output_shape_t<tiny>;

int main() { return static_cast<int>(out::size); }
