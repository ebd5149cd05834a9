// safetensors reader: tensors, metadata and clear errors on bad files.
#include <filesystem>
#include <functional>

#include "host/io/safetensors_read.h"
#include "picture_test_util.h"
#include "safetensors_test_writer.h"
#include "test_util.h"

using namespace convlab;
namespace fs = std::filesystem;

namespace {

void expect_error_mentions(const std::function<void()>& f, const std::string& part) {
  try {
    f();
    ADD_FAILURE() << "expected an error mentioning '" << part << "'";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
  }
}

}  // namespace

TEST(SafetensorsRead, ReadsTensorsByName) {
  const auto dir = test::fresh_temp_dir("st_read");
  const std::string path = (dir / "ckpt.safetensors").string();
  std::vector<float> w(2 * 3 * 2 * 2);
  for (size_t i = 0; i < w.size(); ++i) w[i] = 0.5f * static_cast<float>(i) - 3.0f;
  test::RawTensor u8{"mask", "U8", {3}, {7, 8, 9}};
  test::RawTensor f64{"scale", "F64", {}, std::vector<unsigned char>(8)};
  const double s = 1e-3;
  std::memcpy(f64.bytes.data(), &s, 8);
  test::write_safetensors(path, {test::f32_tensor("b1", {2}, {1.5f, -2.5f}), test::f32_tensor("W1", {2, 3, 2, 2}, w), u8, f64});

  const SafetensorsFile file(path);
  EXPECT_EQ(file.names(), (std::vector<std::string>{"W1", "b1", "mask", "scale"}));
  EXPECT_EQ(file.metadata().at("format"), "pt");
  const Tensor W1 = file.read("W1");
  EXPECT_EQ(W1.dtype(), DType::f32);
  ASSERT_EQ(W1.shape(), (Shape{2, 3, 2, 2}));
  for (size_t i = 0; i < w.size(); ++i) EXPECT_EQ(W1.item(static_cast<int64_t>(i)), w[i]);
  EXPECT_EQ(file.read("b1").item(1), -2.5);
  EXPECT_EQ(file.read("mask").dtype(), DType::u8);
  EXPECT_EQ(file.read("mask").item(2), 9.0);
  EXPECT_EQ(file.read("scale").ndim(), 0);
  EXPECT_EQ(file.read("scale").item(), 1e-3);
  EXPECT_EQ(read_safetensors_tensor(path, "b1").item(0), 1.5);
  fs::remove_all(dir);
}

TEST(SafetensorsRead, ClearErrors) {
  const auto dir = test::fresh_temp_dir("st_errors");
  const std::string good = (dir / "good.safetensors").string();
  test::write_safetensors(good, {test::f32_tensor("W1", {2}, {1, 2}), {"h", "F16", {1}, {0, 0}}});
  expect_error_mentions([&] { read_safetensors_tensor(good, "W9"); }, "has no tensor 'W9' (it has: W1, h)");
  expect_error_mentions([&] { read_safetensors_tensor(good, "h"); }, "F16 is not supported");
  expect_error_mentions([&] { SafetensorsFile((dir / "none.safetensors").string()); }, "cannot open");

  const std::string short_file = (dir / "short.safetensors").string();
  std::ofstream(short_file) << "abc";
  expect_error_mentions([&] { SafetensorsFile{short_file}; }, "too short");

  const std::string huge = (dir / "huge.safetensors").string();
  {
    std::ofstream f(huge, std::ios::binary);
    const char len[8] = {0, 0, 0, 0, 1, 0, 0, 0};
    f.write(len, 8);
    f << "{}";
  }
  expect_error_mentions([&] { SafetensorsFile{huge}; }, "declares a header of");

  const std::string offsets = (dir / "offsets.safetensors").string();
  test::write_safetensors(offsets, {test::f32_tensor("W1", {2}, {1, 2})},
                          R"({"W1": {"dtype": "F32", "shape": [2], "data_offsets": [0, 12]}})");
  expect_error_mentions([&] { SafetensorsFile{offsets}; }, "outside the 8-byte data section");

  const std::string mismatch = (dir / "mismatch.safetensors").string();
  test::write_safetensors(mismatch, {test::f32_tensor("W1", {2}, {1, 2})},
                          R"({"W1": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}})");
  expect_error_mentions([&] { SafetensorsFile{mismatch}; }, "needs 12 bytes");

  const std::string not_json = (dir / "notjson.safetensors").string();
  test::write_safetensors(not_json, {}, "{\"W1\": [");
  expect_error_mentions([&] { SafetensorsFile{not_json}; }, "not valid JSON");

  const std::string bad_entry = (dir / "badentry.safetensors").string();
  test::write_safetensors(bad_entry, {}, R"({"W1": {"dtype": "F32"}})");
  expect_error_mentions([&] { SafetensorsFile{bad_entry}; }, "tensor 'W1'");
  fs::remove_all(dir);
}
