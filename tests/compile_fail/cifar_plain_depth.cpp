// expect: cifar_resnet / cifar_plain: Depth must be 6n \+ 2
// shapes: cifar_depth_not_6n_plus_2<.*depth<10>
// 10 is not 6n + 2 (8 and 14 are).
#include <ctnet/ctnet.hpp>

inline constexpr auto params = ctnet::param_count_v<ctnet::models::cifar_plain<10>>;

int main() { return static_cast<int>(params % 256); }
