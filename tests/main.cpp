// main() of the run-time suite.
#include "catch_session.hpp"

int main(int argc, char** argv) { return ctnet::testing::run_catch_session(argc, argv); }
