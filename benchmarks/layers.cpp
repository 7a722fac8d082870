// Every layer of ResNet-50, ResNet-18 and the CIFAR ResNet-20 alone, then each whole model at batch 1
// and at a throughput batch, fused and unfused (ctnet/bench/layers.hpp). With -march=native
// (CTNET_NATIVE_DEMO), the kernels are this machine's best. A layer of interest, e.g. stage 1's 3×3 convolution:
//   CTNET_NUM_THREADS=2 ctnet_layer_bench --benchmark_filter='resnet50/layer1.0.conv2$'
#include <ctnet/bench/layers.hpp>
#include <ctnet/ctnet.hpp>

#include <benchmark/benchmark.h>

int main(int argc, char** argv) {
  namespace bench = ctnet::bench;
  bench::register_peak();
  bench::register_layers<ctnet::models::resnet50>("resnet50");
  bench::register_layers<ctnet::models::resnet18>("resnet18");
  bench::register_layers<ctnet::models::cifar_resnet<20>>("resnet20");
  // Whole models, fused (forward) and unfused (forward_unfused), side by side.
  for (const auto how : {bench::pass::fused, bench::pass::unfused}) {
    bench::register_model<ctnet::models::resnet50>("resnet50", 1, how);
    bench::register_model<ctnet::models::resnet50>("resnet50", 16, how);
    bench::register_model<ctnet::models::resnet18>("resnet18", 1, how);
    bench::register_model<ctnet::models::resnet18>("resnet18", 16, how);
    bench::register_model<ctnet::models::cifar_resnet<20>>("resnet20", 1, how);
    bench::register_model<ctnet::models::cifar_resnet<20>>("resnet20", 128, how);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
}
