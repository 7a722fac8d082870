// Loading and saving weights as safetensors: round trips, dtype conversion, and a clear
// ctnet::error for every kind of bad file, with the model left exactly as it was.
#include <ctnet/ctnet.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

namespace {
using namespace ctnet;
namespace fs = std::filesystem;

// A tiny network whose two tensors are easy to write by hand: fc-like "0.weight" [2, 3], "0.bias" [2].
using tiny = network<shape<3>, linear<2>>;

fs::path scratch_dir() {
  const fs::path dir = fs::temp_directory_path() / ("ctnet-io-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir;
}

// Writes a file byte for byte: the 8-byte length, the header as given, then the data.
fs::path raw_file(const std::string& name, const std::string& header, const std::vector<std::uint8_t>& data,
                  std::uint64_t claimed_length = UINT64_MAX) {
  const fs::path path = scratch_dir() / name;
  std::ofstream out(path, std::ios::binary);
  const std::uint64_t length = claimed_length == UINT64_MAX ? header.size() : claimed_length;
  out.write(reinterpret_cast<const char*>(&length), 8);
  out << header;
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  return path;
}

template <class T>
std::vector<std::uint8_t> bytes_of(std::initializer_list<T> values) {
  std::vector<std::uint8_t> bytes(values.size() * sizeof(T));
  std::memcpy(bytes.data(), std::data(values), bytes.size());
  return bytes;
}

std::vector<std::uint8_t> concat(std::vector<std::uint8_t> a, const std::vector<std::uint8_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// A valid file for `tiny`, F32: weight 1..6, bias -1, -2.
const std::string good_header =
    R"({"0.weight":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},)"
    R"("0.bias":{"dtype":"F32","shape":[2],"data_offsets":[24,32]}})";
const auto good_data = bytes_of<float>({1, 2, 3, 4, 5, 6, -1, -2});

// Loading `path` must throw a ctnet::error containing each of `words`, and change nothing.
void require_rejected(const fs::path& path, std::initializer_list<std::string_view> words) {
  model<tiny> m(11);
  const std::vector<float> before(m.buffer().begin(), m.buffer().end());
  try {
    m.load(path);
    FAIL("loading " << path << " did not throw");
  } catch (const ctnet::error& e) {
    const std::string what = e.what();
    INFO(what);
    CHECK(what.find(path.string()) != std::string::npos);
    for (const auto word : words) CHECK(what.find(word) != std::string::npos);
  }
  REQUIRE(std::equal(before.begin(), before.end(), m.buffer().begin()));
}
}  // namespace

TEST_CASE("a valid file loads by name", "[io]") {
  model<tiny> m;
  m.load(raw_file("good.safetensors", good_header, good_data));
  const auto w = m.tensor("0.weight"), b = m.tensor("0.bias");
  REQUIRE(std::vector<float>(w.begin(), w.end()) == std::vector<float>{1, 2, 3, 4, 5, 6});
  REQUIRE(std::vector<float>(b.begin(), b.end()) == std::vector<float>{-1, -2});
  std::vector<float> y(2);
  m.forward(std::vector<float>{1, 0, -1}, y);
  REQUIRE(y == std::vector<float>{1 - 3 - 1, 4 - 6 - 2});
}

TEST_CASE("F16, BF16 and F64 tensors are converted to float32", "[io]") {
  // F16: 1.5 = 0x3e00, -2 = 0xc000, 65504 = 0x7bff (largest half), 2^-24 = 0x0001 (smallest subnormal),
  //      0.000030517578125 = 2^-15 = 0x0200 (a subnormal with a higher bit), -0 = 0x8000.
  // BF16: 1.5 = 0x3fc0, -0.25 = 0xbe80.  F64: 0.1 rounds to float(0.1).
  const std::string header =
      R"({"0.weight":{"dtype":"F16","shape":[2,3],"data_offsets":[0,12]},)"
      R"("0.bias":{"dtype":"BF16","shape":[2],"data_offsets":[12,16]}})";
  const auto data = concat(bytes_of<std::uint16_t>({0x3e00, 0xc000, 0x7bff, 0x0001, 0x0200, 0x8000}),
                           bytes_of<std::uint16_t>({0x3fc0, 0xbe80}));
  model<tiny> m;
  m.load(raw_file("narrow.safetensors", header, data));
  const auto w = m.tensor("0.weight");
  CHECK(w[0] == 1.5f);
  CHECK(w[1] == -2.0f);
  CHECK(w[2] == 65504.0f);
  CHECK(w[3] == std::ldexp(1.0f, -24));
  CHECK(w[4] == std::ldexp(1.0f, -15));
  CHECK((w[5] == 0.0f && std::signbit(w[5])));
  CHECK(m.tensor("0.bias")[0] == 1.5f);
  CHECK(m.tensor("0.bias")[1] == -0.25f);

  const std::string wide =
      R"({"0.weight":{"dtype":"F64","shape":[2,3],"data_offsets":[0,48]},)"
      R"("0.bias":{"dtype":"F64","shape":[2],"data_offsets":[48,64]}})";
  m.load(raw_file("wide.safetensors", wide, bytes_of<double>({0.1, 2, 3, 4, 5, 6, 7, 1e300})));
  CHECK(m.tensor("0.weight")[0] == 0.1f);
  CHECK(std::isinf(m.tensor("0.bias")[1]));  // out of float's range, as a cast gives
}

TEST_CASE("save then load gives the same weights bit for bit, and writes atomically", "[io]") {
  using net = models::cifar_resnet<20>;
  model<net> a(3), b(4);
  random_stream random(5);
  for (float& v : a.tensor("layer2.1.bn1.running_mean")) v = static_cast<float>(random.normal());
  const fs::path path = scratch_dir() / "resnet20.safetensors";
  a.save(path);
  REQUIRE_FALSE(fs::exists(fs::path(path) += ".partial"));
  b.load(path);
  REQUIRE(std::memcmp(a.buffer().data(), b.buffer().data(), a.buffer().size_bytes()) == 0);

  // The file is a proper safetensors file: 8-aligned data, PyTorch's names and shapes.
  const auto f = safetensors::file::read(path);
  REQUIRE(f.tensors().size() == 19 * 5 + 2);
  REQUIRE(f.find("layer3.0.conv1.weight")->shape == std::vector<std::size_t>{64, 32, 3, 3});
  std::ifstream in(path, std::ios::binary);
  std::uint64_t length = 0;
  in.read(reinterpret_cast<char*>(&length), 8);
  REQUIRE((8 + length) % 8 == 0);

  // Saving where nothing can be written fails with an error, not a crash.
  REQUIRE_THROWS_AS(a.save(scratch_dir() / "no-such-dir" / "x.safetensors"), ctnet::error);
}

TEST_CASE("num_batches_tracked is ignored; other extra tensors only when asked", "[io]") {
  const std::string header =
      R"({"0.weight":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},)"
      R"("0.bias":{"dtype":"F32","shape":[2],"data_offsets":[24,32]},)"
      R"("0.num_batches_tracked":{"dtype":"I64","shape":[],"data_offsets":[32,40]}})";
  model<tiny> m;
  REQUIRE_NOTHROW(m.load(raw_file("tracked.safetensors", header, concat(good_data, bytes_of<std::int64_t>({7})))));

  const std::string extra =
      R"({"0.weight":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},)"
      R"("0.bias":{"dtype":"F32","shape":[2],"data_offsets":[24,32]},)"
      R"("head.weight":{"dtype":"F32","shape":[2],"data_offsets":[32,40]}})";
  const auto path = raw_file("extra.safetensors", extra, concat(good_data, bytes_of<float>({9, 9})));
  require_rejected(path, {"head.weight", "ignore_extra"});
  REQUIRE_NOTHROW(m.load(path, load_options{.ignore_extra = true}));
  REQUIRE(m.tensor("0.bias")[1] == -2.0f);
}

TEST_CASE("bad files are rejected with what and where, and the model keeps its weights", "[io][errors]") {
  SECTION("missing file") { require_rejected(scratch_dir() / "nowhere.safetensors", {"cannot open"}); }
  SECTION("shorter than the header length") {
    const fs::path path = scratch_dir() / "tiny.safetensors";
    std::ofstream(path, std::ios::binary) << "abc";
    require_rejected(path, {"truncated", "3 bytes"});
  }
  SECTION("header length past the end of the file") {
    require_rejected(raw_file("long.safetensors", good_header, good_data, 1'000'000), {"1000000", "past the end"});
  }
  SECTION("truncated data") {
    const std::vector<std::uint8_t> cut(good_data.begin(), good_data.begin() + 20);
    require_rejected(raw_file("cut.safetensors", good_header, cut), {"'0.bias'", "beyond the 20 bytes"});
  }
  SECTION("malformed JSON") {
    require_rejected(raw_file("json.safetensors", good_header.substr(0, 40), good_data), {"malformed JSON"});
  }
  SECTION("JSON that is not a safetensors header") {
    require_rejected(raw_file("array.safetensors", "[1, 2]", good_data), {"not an object"});
    require_rejected(raw_file("noshape.safetensors", R"({"0.weight":{"dtype":"F32","data_offsets":[0,24]}})", good_data), {"'0.weight'", "shape"});
  }
  SECTION("a tensor missing") {
    require_rejected(raw_file("missing.safetensors", R"({"0.weight":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}})",
                              good_data), {"missing", "0.bias"});
  }
  SECTION("a wrong shape names the tensor and both shapes") {
    const std::string header =
        R"({"0.weight":{"dtype":"F32","shape":[3,2],"data_offsets":[0,24]},)"
        R"("0.bias":{"dtype":"F32","shape":[2],"data_offsets":[24,32]}})";
    require_rejected(raw_file("shape.safetensors", header, good_data), {"'0.weight'", "[3, 2]", "[2, 3]"});
  }
  SECTION("an unsupported dtype") {
    const std::string header =
        R"({"0.weight":{"dtype":"I32","shape":[2,3],"data_offsets":[0,24]},)"
        R"("0.bias":{"dtype":"F32","shape":[2],"data_offsets":[24,32]}})";
    require_rejected(raw_file("int.safetensors", header, good_data), {"'0.weight'", "I32"});
  }
  SECTION("overlapping offsets") {
    const std::string header =
        R"({"0.weight":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},)"
        R"("0.bias":{"dtype":"F32","shape":[2],"data_offsets":[16,24]}})";
    require_rejected(raw_file("overlap.safetensors", header, good_data), {"overlap", "0.bias", "0.weight"});
  }
  SECTION("offsets out of range, backwards, or not matching the shape") {
    const std::string beyond =
        R"({"0.weight":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},)"
        R"("0.bias":{"dtype":"F32","shape":[2],"data_offsets":[4000,4008]}})";
    require_rejected(raw_file("range.safetensors", beyond, good_data), {"'0.bias'", "4008"});
    const std::string backwards =
        R"({"0.weight":{"dtype":"F32","shape":[2,3],"data_offsets":[24,0]},)"
        R"("0.bias":{"dtype":"F32","shape":[2],"data_offsets":[24,32]}})";
    require_rejected(raw_file("backwards.safetensors", backwards, good_data), {"backwards"});
    const std::string short_range =
        R"({"0.weight":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]},)"
        R"("0.bias":{"dtype":"F32","shape":[2],"data_offsets":[24,32]}})";
    require_rejected(raw_file("count.safetensors", short_range, good_data), {"'0.weight'", "20 bytes", "[2, 3]"});
  }
}
