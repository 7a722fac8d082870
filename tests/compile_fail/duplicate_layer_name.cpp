// expect: sequential: two layers with weights have the same name
// shapes: duplicate_layer_name<.*named<.*conv2d<8, ?3
// Two convolutions both called "conv": their weights would both be "conv.weight".
#include <ctnet/ctnet.hpp>

using namespace ctnet;

using clash = network<shape<3, 8, 8>, named<"conv", conv2d<8, 3>>, named<"relu", relu>, named<"conv", conv2d<8, 3>>,
                      named<"relu", relu>>;
using out = ctnet::output_shape_t<clash>;

int main() { return static_cast<int>(out::size); }
