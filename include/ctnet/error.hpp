// ctnet::error: what ctnet throws for bad input at run time (sizes, files, names), saying what
// was wrong and where. Shape errors never get here: they stop the build.
#pragma once
#include <stdexcept>
#include <string>

namespace ctnet {

class error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace ctnet
