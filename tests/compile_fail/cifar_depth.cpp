// expect: cifar_resnet / cifar_plain: Depth must be 6n \+ 2
// shapes: cifar_depth_not_6n_plus_2<.*depth<21>
// 21 is not 6n + 2.
#include <ctnet/ctnet.hpp>

inline constexpr auto params = ctnet::param_count_v<ctnet::models::cifar_resnet<21>>;

int main() { return static_cast<int>(params % 256); }
