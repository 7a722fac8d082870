// Catch2's implementation, once for all of a build's test executables (see catch_session.hpp).
#define CATCH_CONFIG_RUNNER
#include "catch_session.hpp"

#include <catch2/catch.hpp>

int ctnet::testing::run_catch_session(int argc, char** argv) { return Catch::Session().run(argc, argv); }
