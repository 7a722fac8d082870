// Runs the Catch2 tests linked into this executable, as Catch2's own main() would. Catch2's
// implementation is compiled once, in catch_session.cpp, for every test executable of a build:
// compiling it takes longer than most test sources (25-40 s with g++ 12 at -O3), and its Session
// type is only declared where it is compiled, so each main() calls this instead.
#pragma once

namespace ctnet::testing {
int run_catch_session(int argc, char** argv);
}
