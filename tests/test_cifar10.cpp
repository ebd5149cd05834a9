// CIFAR-10 reader: synthetic files for the format and its errors, and the
// get_CIFAR10_data splits on the real files when they can be found.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "cifar10_test_util.h"
#include "host/data/cifar10.h"

using namespace convlab;
namespace fs = std::filesystem;

namespace {

using TempDir = test::TempDir;

// Image i of a synthetic batch: label (i + offset) % 10, pixel k = (i * 7 + k) % 256.
void write_batch(const fs::path& file, int n, int offset, int bad_label_at = -1, int64_t truncate_by = 0) {
  std::string bytes;
  for (int i = 0; i < n; ++i) {
    bytes.push_back(static_cast<char>(i == bad_label_at ? 10 : (i + offset) % 10));
    for (int k = 0; k < 3072; ++k) bytes.push_back(static_cast<char>((i * 7 + k) % 256));
  }
  bytes.resize(bytes.size() - static_cast<std::size_t>(truncate_by));
  std::ofstream(file, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

void write_all(const fs::path& dir, int per_batch) {
  for (int b = 1; b <= 5; ++b)
    write_batch(dir / ("data_batch_" + std::to_string(b) + ".bin"), per_batch, b * per_batch);
  write_batch(dir / "test_batch.bin", per_batch, 3);
  std::ofstream(dir / "batches.meta.txt") << "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n";
}

template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(Cifar10, ReadsRecordsAsNCHWUint8WithLabels) {
  TempDir t;
  write_batch(t.path / "b.bin", 4, 0);
  const CifarImages c = read_cifar10_batch((t.path / "b.bin").string());
  EXPECT_EQ(c.images.shape(), (Shape{4, 3, 32, 32}));
  EXPECT_EQ(c.images.dtype(), DType::u8);
  EXPECT_EQ(c.labels.item(3), 3.0);
  EXPECT_EQ(c.images.item(2 * 3072 + 1024 + 5), double((2 * 7 + 1024 + 5) % 256));  // image 2, channel G, pixel 5
}

TEST(Cifar10, MissingTruncatedAndForeignFilesNameTheFile) {
  TempDir t;
  const std::string missing = (t.path / "data_batch_1.bin").string();
  std::string e = error_of([&] { read_cifar10_batch(missing); });
  EXPECT_NE(e.find(missing), std::string::npos) << e;
  EXPECT_NE(e.find("not found"), std::string::npos) << e;
  EXPECT_NE(e.find("to_cifar_bin.py"), std::string::npos) << e;

  write_batch(t.path / "short.bin", 3, 0, -1, 100);
  e = error_of([&] { read_cifar10_batch((t.path / "short.bin").string()); });
  EXPECT_NE(e.find("short.bin"), std::string::npos) << e;
  EXPECT_NE(e.find("multiple of 3073"), std::string::npos) << e;

  write_batch(t.path / "label.bin", 5, 0, 2);
  e = error_of([&] { read_cifar10_batch((t.path / "label.bin").string()); });
  EXPECT_NE(e.find("label.bin: record 2 has label 10, expected 0..9"), std::string::npos) << e;

  std::ofstream(t.path / "empty.bin").flush();
  e = error_of([&] { read_cifar10_batch((t.path / "empty.bin").string()); });
  EXPECT_NE(e.find("empty.bin"), std::string::npos) << e;

  // A complete folder except one truncated training batch: loading names that file.
  write_all(t.path, 3);
  write_batch(t.path / "data_batch_4.bin", 3, 0, -1, 1);
  e = error_of([&] { get_cifar10_data(t.path.string(), {10, 2, 3, true}); });
  EXPECT_NE(e.find("data_batch_4.bin"), std::string::npos) << e;
}

TEST(Cifar10, SplitsAndMeanImageFollowGetCifar10Data) {
  TempDir t;
  write_all(t.path, 4);  // 20 training images, 4 test images
  const Cifar10Data d = get_cifar10_data(t.path.string(), {15, 3, 2, true});
  ASSERT_EQ(d.train.size(), 15);
  ASSERT_EQ(d.val.size(), 3);
  ASSERT_EQ(d.test.size(), 2);
  EXPECT_EQ(d.class_names.size(), 10u);
  EXPECT_EQ(d.class_names[9], "truck");
  // Training image i (over the 5 files) is image i % 4 of file i / 4 + 1: label (i % 4 + (i / 4 + 1) * 4) % 10.
  auto label_of = [](int i) { return (i % 4 + (i / 4 + 1) * 4) % 10; };
  auto pixel_of = [](int i, int k) { return double((i % 4 * 7 + k) % 256); };
  EXPECT_EQ(d.train.host_labels()[14], label_of(14));
  EXPECT_EQ(d.val.host_labels()[0],
            label_of(15));  // val = training images [num_training, num_training + num_validation)
  EXPECT_EQ(d.test.host_labels()[1], (1 + 3) % 10);
  // Mean over the 15 training images only.
  for (int k : {0, 1, 1500, 3071}) {
    double m = 0;
    for (int i = 0; i < 15; ++i) m += pixel_of(i, k);
    EXPECT_NEAR(d.mean_image.item(k), m / 15, 1e-4);
  }
  // Batches are float32, mean-subtracted, no scaling.
  const Batch b = d.val.gather({2, 0});
  EXPECT_EQ(b.X.shape(), (Shape{2, 3, 32, 32}));
  EXPECT_EQ(b.X.dtype(), DType::f32);
  EXPECT_NEAR(b.X.item(7), pixel_of(17, 7) - d.mean_image.item(7), 1e-4);
  EXPECT_NEAR(b.X.item(3072 + 9), pixel_of(15, 9) - d.mean_image.item(9), 1e-4);
  EXPECT_EQ(b.y.item(0), label_of(17));
  // Without mean subtraction the raw 0..255 values come through.
  const Cifar10Data raw = get_cifar10_data(t.path.string(), {15, 3, 2, false});
  EXPECT_EQ(raw.test.gather({0}).X.item(100), pixel_of(0, 100));
  // Sizes beyond the files are errors naming the folder.
  EXPECT_NE(error_of([&] {
              get_cifar10_data(t.path.string(), {19, 3, 2, true});
            }).find("exceeds the 20 training"),
            std::string::npos);
}

TEST(Cifar10, ValidationFromTrainingIsTheLastTrainingImages) {
  TempDir t;
  write_all(t.path, 4);  // 20 training images
  Cifar10Options o;
  o.num_training = 20;
  o.num_validation = 3;
  o.num_test = 0;
  o.validation_from_training = true;
  const Cifar10Data d = get_cifar10_data(t.path.string(), o);
  ASSERT_EQ(d.train.size(), 20);
  ASSERT_EQ(d.val.size(), 3);
  for (int j = 0; j < 3; ++j) {
    EXPECT_EQ(d.val.host_labels()[j], d.train.host_labels()[17 + j]) << j;
    EXPECT_EQ(d.val.gather({j}).X.item(5), d.train.gather({17 + j}).X.item(5)) << j;
  }
  // More validation images than training ones is an error.
  o.num_training = 2;
  EXPECT_THROW(get_cifar10_data(t.path.string(), o), Error);
}

TEST(Cifar10, FindDirExplainsWhereItLookedAndHowToMakeTheFiles) {
  TempDir t;
  const std::string e = error_of([&] { find_cifar10_dir(t.path.string()); });
  EXPECT_NE(e.find(t.path.string()), std::string::npos) << e;
  EXPECT_NE(e.find("data.path"), std::string::npos) << e;
  EXPECT_NE(e.find("to_cifar_bin.py"), std::string::npos) << e;
  write_all(t.path, 1);
  EXPECT_EQ(find_cifar10_dir(t.path.string()), t.path.string());
  const char* before = std::getenv("CONVLAB_CIFAR10_DIR");
  const std::string saved = before ? before : "";
  ::setenv("CONVLAB_CIFAR10_DIR", t.path.string().c_str(), 1);
  EXPECT_EQ(find_cifar10_dir(""), t.path.string());
  if (before)
    ::setenv("CONVLAB_CIFAR10_DIR", saved.c_str(), 1);
  else
    ::unsetenv("CONVLAB_CIFAR10_DIR");
}

TEST(Cifar10, RealDataSplitsAsTheNotebook) {
  std::string why;
  const std::string dir = test::cifar10_bin_dir(&why);
  if (dir.empty()) GTEST_SKIP() << why;
  const Cifar10Data d = get_cifar10_data(dir);
  EXPECT_EQ(d.train.size(), 49000);
  EXPECT_EQ(d.val.size(), 1000);
  EXPECT_EQ(d.test.size(), 1000);
  // Per-channel means of the training split (datasets README: 125.27 / 122.93 / 113.86 over all 50,000).
  for (int c = 0; c < 3; ++c) {
    double m = 0;
    for (int k = 0; k < 1024; ++k) m += d.mean_image.item(c * 1024 + k);
    EXPECT_NEAR(m / 1024, (std::vector<double>{125.27, 122.93, 113.86})[c], 0.5);
  }
  std::vector<int> counts(10, 0);
  for (int32_t l : d.train.host_labels()) counts[l]++;
  for (int c : counts) EXPECT_GT(c, 4500);
}
