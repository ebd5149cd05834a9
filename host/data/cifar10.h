// CIFAR-10 in the standard binary layout: data_batch_1.bin .. data_batch_5.bin,
// test_batch.bin (10,000 records of 1 label byte + 3,072 pixel bytes, CHW
// row-major) and batches.meta.txt (class names in label order).
//
// Where the files are looked for (first match wins; see find_cifar10_dir):
//   1. data.path of the config (or the `dir` argument)
//   2. $CONVLAB_CIFAR10_DIR
//   3. $CONVLAB_DATA_DIR/cifar10-bin
//   4. ./data/cifar10 (relative to the working directory)
// A folder matches when it holds data_batch_1.bin. The files are made from the
// datasets folder's JPEG archive with
//   python3 DATASETS/cifar10/to_cifar_bin.py DATASETS/cifar10/cifar10-jpeg.tar.gz OUT_DIR
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "host/data/dataset.h"
#include "host/tensor.h"

namespace convlab {

constexpr int64_t kCifarRecordBytes = 3073;  // 1 label + 3 * 32 * 32 pixels
constexpr int64_t kCifarImageBytes = 3072;

struct CifarImages {
  Tensor images;  // uint8 (N, 3, 32, 32)
  Tensor labels;  // int32 (N,)
};

// Reads one batch file: its size must be a non-zero multiple of 3073 bytes
// and every label in 0..9; otherwise the error names the file.
CifarImages read_cifar10_batch(const std::string& path);
// Reads the class names (one per line, empty lines ignored).
std::vector<std::string> read_cifar10_meta(const std::string& path);
// Concatenates data_batch_1..5 (train) or reads test_batch (test).
CifarImages load_cifar10_train(const std::string& dir);
CifarImages load_cifar10_test(const std::string& dir);

// Resolves the folder as documented above; throws with every place tried and
// how to make the .bin files when none matches. A folder given explicitly
// (`configured`, named `origin` in messages) must hold the files: there is no
// fallback to the environment for it.
std::string find_cifar10_dir(const std::string& configured, const std::string& origin = "data.path");

// cs231n get_CIFAR10_data(num_training, num_validation, num_test, subtract_mean):
// train = images [0, num_training), val = [num_training, num_training +
// num_validation) of the training files, test = the first num_test test images;
// the mean image of the train split (float32, (3, 32, 32)) is subtracted from
// all three when subtract_mean (lazily, at gather time). No scaling by 1/255.
// With mean_std (and subtract_mean) each pixel becomes (p - mean_c) / std_c
// instead, with the train split's per-channel mean and population std.
struct Cifar10Options {
  int64_t num_training = 49000;
  int64_t num_validation = 1000;
  int64_t num_test = 1000;
  bool subtract_mean = true;
  bool mean_std = false;
  bool validation_from_training = false;  // val = the last num_validation training images
};
struct Cifar10Data {
  Dataset train, val, test;
  Tensor mean_image;                 // float32 (3, 32, 32), zeros when !subtract_mean
  Tensor channel_mean, channel_std;  // float32 (3,), with mean_std only
  std::vector<std::string> class_names;
  std::string dir;
};
Cifar10Data get_cifar10_data(const std::string& dir, const Cifar10Options& options = {});

}  // namespace convlab
