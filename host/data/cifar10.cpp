#include "host/data/cifar10.h"

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "host/data/augment.h"
#include "host/error.h"
#include "host/io/untrusted_file.h"

namespace convlab {

namespace fs = std::filesystem;

namespace {
const char* kHowToMake =
    "make them from the datasets folder's JPEG archive (needs Python 3 with Pillow):\n"
    "  python3 DATASETS/cifar10/to_cifar_bin.py DATASETS/cifar10/cifar10-jpeg.tar.gz data/cifar10\n"
    "then point convlab at that folder with data.path in the config, --set data.path=DIR, or "
    "CONVLAB_CIFAR10_DIR=DIR (see docs/config.md)";

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}
}  // namespace

CifarImages read_cifar10_batch(const std::string& path) {
  std::error_code ec;
  const std::string found = describe_non_regular(path);
  CONVLAB_CHECK(found.empty(), path << ": CIFAR-10 batch file "
                                    << (found == "not found" ? found : "expected, found " + found) << "; "
                                    << kHowToMake);
  const auto size = static_cast<int64_t>(fs::file_size(path, ec));
  CONVLAB_CHECK(!ec, path << ": cannot read the file size: " << ec.message());
  CONVLAB_CHECK(size > 0 && size % kCifarRecordBytes == 0,
                path << ": not a CIFAR-10 binary batch: size " << size << " bytes is not a non-zero multiple of "
                     << kCifarRecordBytes << " (1 label byte + 3072 pixel bytes per image); truncated or "
                     << "a different file?");
  const int64_t n = size / kCifarRecordBytes;
  std::vector<uint8_t> raw(static_cast<std::size_t>(size));
  std::ifstream in(path, std::ios::binary);
  CONVLAB_CHECK(in, path << ": cannot open the file");
  in.read(reinterpret_cast<char*>(raw.data()), size);
  CONVLAB_CHECK(in.gcount() == size, path << ": short read (" << in.gcount() << " of " << size << " bytes)");

  CifarImages out{Tensor({n, 3, 32, 32}, DType::u8), Tensor({n}, DType::i32)};
  uint8_t* img = out.images.data<uint8_t>();
  int32_t* lab = out.labels.data<int32_t>();
  for (int64_t i = 0; i < n; ++i) {
    const uint8_t* rec = raw.data() + i * kCifarRecordBytes;
    CONVLAB_CHECK(rec[0] <= 9, path << ": record " << i << " has label " << int(rec[0])
                                    << ", expected 0..9: not a CIFAR-10 batch file (CIFAR-100 and other "
                                    << "layouts are not supported)");
    lab[i] = rec[0];
    std::memcpy(img + i * kCifarImageBytes, rec + 1, kCifarImageBytes);
  }
  return out;
}

std::vector<std::string> read_cifar10_meta(const std::string& path) {
  std::ifstream in(path);
  CONVLAB_CHECK(in, path << ": CIFAR-10 class-name file not found");
  std::vector<std::string> names;
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty()) names.push_back(line);
  }
  CONVLAB_CHECK(names.size() == 10, path << ": expected 10 class names, got " << names.size());
  return names;
}

namespace {
CifarImages concat(const std::vector<CifarImages>& parts) {
  int64_t n = 0;
  for (const auto& p : parts) n += p.labels.numel();
  CifarImages out{Tensor({n, 3, 32, 32}, DType::u8), Tensor({n}, DType::i32)};
  int64_t at = 0;
  for (const auto& p : parts) {
    const int64_t k = p.labels.numel();
    std::memcpy(out.images.data<uint8_t>() + at * kCifarImageBytes, p.images.data<uint8_t>(), k * kCifarImageBytes);
    std::memcpy(out.labels.data<int32_t>() + at, p.labels.data<int32_t>(), k * sizeof(int32_t));
    at += k;
  }
  return out;
}
}  // namespace

CifarImages load_cifar10_train(const std::string& dir) {
  std::vector<CifarImages> parts;
  for (int b = 1; b <= 5; ++b)
    parts.push_back(read_cifar10_batch((fs::path(dir) / ("data_batch_" + std::to_string(b) + ".bin")).string()));
  return concat(parts);
}

CifarImages load_cifar10_test(const std::string& dir) {
  return read_cifar10_batch((fs::path(dir) / "test_batch.bin").string());
}

std::string find_cifar10_dir(const std::string& configured, const std::string& origin) {
  std::vector<std::pair<std::string, std::string>> tried;  // (folder, where it came from)
  auto holds = [](const std::string& d) {
    std::error_code ec;
    return fs::is_regular_file(fs::path(d) / "data_batch_1.bin", ec);
  };
  if (!configured.empty()) {
    const std::string found = describe_non_regular(configured);
    CONVLAB_CHECK(found == "a directory", configured << ": folder given by " << origin << " is "
                                                     << (found.empty() ? "a file" : found)
                                                     << ", expected a folder of CIFAR-10 .bin files; " << kHowToMake);
    const std::string batch = (fs::path(configured) / "data_batch_1.bin").string();
    const std::string batch_found = describe_non_regular(batch);
    CONVLAB_CHECK(batch_found.empty(), configured << ": no CIFAR-10 .bin files here (data_batch_1.bin "
                                                  << (batch_found == "not found" ? batch_found : "is " + batch_found)
                                                  << "; folder given by " << origin << "); " << kHowToMake);
    return configured;
  }
  const std::string c10 = env("CONVLAB_CIFAR10_DIR");
  if (!c10.empty()) {
    CONVLAB_CHECK(holds(c10), c10 << ": no CIFAR-10 .bin files here (data_batch_1.bin missing; folder given by "
                                  << "CONVLAB_CIFAR10_DIR); " << kHowToMake);
    return c10;
  }
  const std::string data_dir = env("CONVLAB_DATA_DIR");
  if (!data_dir.empty()) {
    const std::string d = (fs::path(data_dir) / "cifar10-bin").string();
    if (holds(d)) return d;
    tried.push_back({d, "$CONVLAB_DATA_DIR/cifar10-bin"});
  }
  if (holds("data/cifar10")) return "data/cifar10";
  tried.push_back({"data/cifar10", "default, relative to the working directory"});
  std::ostringstream os;
  os << "CIFAR-10 binary files (data_batch_1.bin .. data_batch_5.bin, test_batch.bin) not found; looked in:";
  if (data_dir.empty())
    os << "\n  data.path (not set), $CONVLAB_CIFAR10_DIR (not set), $CONVLAB_DATA_DIR (not set)";
  else
    os << "\n  data.path (not set), $CONVLAB_CIFAR10_DIR (not set)";
  for (const auto& t : tried) os << "\n  " << t.first << " (" << t.second << ")";
  os << "\n" << kHowToMake;
  throw Error(os.str());
}

Cifar10Data get_cifar10_data(const std::string& dir, const Cifar10Options& o) {
  CONVLAB_CHECK(o.num_training >= 1 && o.num_validation >= 0 && o.num_test >= 0,
                "get_cifar10_data: sizes must be num_training >= 1, num_validation >= 0, num_test >= 0");
  const CifarImages train_all = load_cifar10_train(dir);
  const int64_t n_all = train_all.labels.numel();
  CONVLAB_CHECK(!o.validation_from_training || o.num_validation <= o.num_training,
                "get_cifar10_data: validation from the training images needs num_validation ("
                    << o.num_validation << ") <= num_training (" << o.num_training << ")");
  const int64_t val_begin = o.validation_from_training ? o.num_training - o.num_validation : o.num_training;
  CONVLAB_CHECK(val_begin >= 0 && val_begin + o.num_validation <= n_all && o.num_training <= n_all,
                dir << ": num_training + num_validation = " << o.num_training + o.num_validation << " exceeds the "
                    << n_all << " training images");
  Cifar10Data d;
  d.dir = dir;
  {
    std::error_code ec;
    const fs::path meta = fs::path(dir) / "batches.meta.txt";
    d.class_names = fs::exists(meta, ec) ? read_cifar10_meta(meta.string()) : std::vector<std::string>{};
  }

  // Mean image of the training split, accumulated in double as numpy does on float64 data.
  d.mean_image = Tensor({3, 32, 32}, DType::f32);
  if (o.subtract_mean) {
    std::vector<double> acc(kCifarImageBytes, 0.0);
    const uint8_t* px = train_all.images.data<uint8_t>();
    for (int64_t i = 0; i < o.num_training; ++i)
      for (int64_t k = 0; k < kCifarImageBytes; ++k) acc[k] += px[i * kCifarImageBytes + k];
    float* pm = d.mean_image.data<float>();
    for (int64_t k = 0; k < kCifarImageBytes; ++k) pm[k] = static_cast<float>(acc[k] / double(o.num_training));
  }
  const bool per_channel = o.subtract_mean && o.mean_std;
  if (per_channel) channel_mean_std(train_all.images, o.num_training, d.channel_mean, d.channel_std);
  const Tensor mean = o.subtract_mean && !per_channel ? d.mean_image : Tensor();
  d.train = Dataset(train_all.images.slice0(0, o.num_training), train_all.labels.slice0(0, o.num_training), mean,
                    d.channel_mean, d.channel_std);
  d.val =
      Dataset(train_all.images.slice0(val_begin, val_begin + o.num_validation),
              train_all.labels.slice0(val_begin, val_begin + o.num_validation), mean, d.channel_mean, d.channel_std);
  if (o.num_test > 0) {
    const CifarImages test_all = load_cifar10_test(dir);
    CONVLAB_CHECK(o.num_test <= test_all.labels.numel(),
                  dir << ": num_test = " << o.num_test << " exceeds the " << test_all.labels.numel() << " test images");
    d.test = Dataset(test_all.images.slice0(0, o.num_test), test_all.labels.slice0(0, o.num_test), mean, d.channel_mean,
                     d.channel_std);
  }
  return d;
}

}  // namespace convlab
