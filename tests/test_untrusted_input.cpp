// Untrusted input: forged sizes, hostile JSON, bad data files and forged
// checkpoints give a clear convlab::Error (exit status 2 from the CLI), never
// a crash, a hang or a silent acceptance. One test per finding; the fuzz
// targets (tests/fuzz/) keep the readers under the same rule.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "expect_error.h"
#include "host/config/config.h"
#include "host/config/json_reader.h"
#include "host/config/sweep.h"
#include "host/data/cifar10.h"
#include "host/data/libsvm.h"
#include "host/io/untrusted_file.h"
#include "host/plot/run_history.h"
#include "host/regression/regression_report.h"
#include "host/run/evaluate.h"
#include "host/solver/safetensors.h"
#include "host/solver/solver.h"
#include "models/model_factory.h"
#include "solver_test_util.h"
#include "test_util.h"

using namespace convlab;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

using TempDir = test::TempDir;

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a convlab::Error";
  return "";
}

// A safetensors file from a header text and the data section's bytes.
std::string safetensors_bytes(const std::string& header, const std::string& data) {
  std::string out(8, '\0');
  const uint64_t n = header.size();
  std::memcpy(&out[0], &n, 8);
  return out + header + data;
}

json small_fc_net() { return {{"type", "fc_net"}, {"input_dim", 4}, {"hidden_dims", {3}}, {"num_classes", 2}}; }

}  // namespace

// --- Sizes: one checked computation -------------------------------------

TEST(CheckedSizes, ShapeProductsThatOverflowAreRefused) {
  EXPECT_ERROR_CONTAINS(shape_numel({4611686018427387905LL, 1, 2, 2}), "overflows 64 bits");
  EXPECT_ERROR_CONTAINS(shape_numel({3, -1}), "negative dimension");
  EXPECT_ERROR_CONTAINS(shape_nbytes({int64_t(1) << 39}, DType::f64), "bytes per tensor");
  EXPECT_ERROR_CONTAINS(Tensor({4611686018427387904LL, 4}), "overflows 64 bits");
  EXPECT_EQ(shape_numel({2, 3, 4}), 24);
  EXPECT_EQ(shape_nbytes({2, 3, 4}, DType::f64), 192u);
  EXPECT_EQ(Tensor({3, 4}).nbytes(), 48u);
}

TEST(CheckedSizes, HugeModelDimensionsInAConfigAreRefused) {
  NumpyRandom rng(0);
  json spec = small_fc_net();
  spec["hidden_dims"] = {4611686018427387904LL};
  EXPECT_ERROR_CONTAINS(build_model(spec, rng), "model.hidden_dims[0]: expected an integer in [1, 1048576]");
  spec["hidden_dims"] = {json::number_unsigned_t(18446744073709551615ULL)};
  EXPECT_ERROR_CONTAINS(build_model(spec, rng), "model.hidden_dims[0]");
  json conv = {{"type", "three_layer_convnet"}, {"input_dim", {3, 4611686018427387904LL, 32}}};
  EXPECT_ERROR_CONTAINS(build_model(conv, rng), "model.input_dim[1]");
}

// --- JSON: nesting, numbers out of range, errors that name the place --------

TEST(Json, DeepNestingIsRefusedWhileParsing) {
  const std::string arrays(200000, '[');
  EXPECT_ERROR_CONTAINS(config::parse_json(arrays, "deep.json"), "deep.json: JSON nested deeper than 64 levels");
  std::string objects;
  for (int i = 0; i < 200000; ++i) objects += "{\"a\":";
  EXPECT_ERROR_CONTAINS(config::parse_json(objects, "deep.json"), "nested deeper than 64 levels (at a.a.a.a");
  TempDir t;
  const std::string p =
      t.write("c.json", "{\"description\": " + std::string(20000, '[') + std::string(20000, ']') + "}");
  EXPECT_ERROR_CONTAINS(config::load_json_file(p), p + ": JSON nested deeper than 64 levels (at description");
  // 64 levels are fine.
  EXPECT_NO_THROW(config::parse_json(std::string(64, '[') + std::string(64, ']'), "ok"));
}

TEST(Json, NumberOutOfRangeNamesTheFileAndTheKey) {
  TempDir t;
  const std::string p = t.write("c.json", R"({"model": {"type": "fc_net"},
    "solver": {"optim_config": {"learning_rate": 1e999}}})");
  const std::string e = error_of([&] { config::load_json_file(p); });
  EXPECT_NE(e.find(p + ": invalid JSON at solver.optim_config.learning_rate"), std::string::npos) << e;
  EXPECT_NE(e.find("number out of range (not a finite double): 1e999"), std::string::npos) << e;
  EXPECT_ERROR_CONTAINS(config::parse_json("[1, 2, -1e400]", "x"), "x: invalid JSON at [2]");
  EXPECT_ERROR_CONTAINS(config::parse_json("{\"a\": [1, }", "x"), "x: invalid JSON at a[1]");
}

TEST(Json, OverridesThatAreBrokenJsonAreErrorsNotStrings) {
  json j = json::object();
  EXPECT_ERROR_CONTAINS(config::apply_override(j, "solver.optim_config.learning_rate=1e999"),
                        "--set solver.optim_config.learning_rate: invalid JSON");
  EXPECT_ERROR_CONTAINS(config::apply_override(j, "model.hidden_dims=[1, 2"), "--set model.hidden_dims: invalid JSON");
  EXPECT_ERROR_CONTAINS(config::apply_override(j, "x=" + std::string(100, '[')), "nested deeper than 64");
  EXPECT_ERROR_CONTAINS(config::apply_override(j, "solver.update_rule=v\xb3x"), "not valid UTF-8 text");
  EXPECT_EQ(config::json_brief(json("v\xb3x")), "\"v\xef\xbf\xbdx\"");
  config::apply_override(j, "solver.update_rule=adam");
  config::apply_override(j, "model.name=3x3");
  config::apply_override(j, "model.hidden_dims=[100, 50]");
  EXPECT_EQ(j["solver"]["update_rule"], "adam");
  EXPECT_EQ(j["model"]["name"], "3x3");
  EXPECT_EQ(j["model"]["hidden_dims"], json({100, 50}));
}

// --- Sweeps ------------------------------------------------------------------

TEST(Sweep, NonFiniteValuesAndHugeSweepsAreRefused) {
  json c = {{"model", small_fc_net()}};
  c["sweep"] = {{"solver.optim_config.learning_rate", {{"logspace", {-2, 400, 2}}}}};
  EXPECT_ERROR_CONTAINS(config::expand_sweep(c), "value 2 of 2 (10^400) is not a finite number");
  c["sweep"] = {{"solver.optim_config.learning_rate", {{"linspace", {0, 1, 100000000}}}}};
  EXPECT_ERROR_CONTAINS(config::expand_sweep(c), "100000000 values; a sweep has at most 10000 runs");
  c["sweep"] = {{"a", {{"linspace", {0, 1, 200}}}}, {"b", {{"linspace", {0, 1, 200}}}}};
  EXPECT_ERROR_CONTAINS(config::expand_sweep(c), "sweep: 40000 runs");
  c["sweep"] = {{"solver.optim_config.learning_rate", {{"logspace", {-3, -1, 3}}}}};
  EXPECT_EQ(config::expand_sweep(c).size(), 3u);
}

// --- safetensors -------------------------------------------------------------

TEST(SafetensorsChecks, AValidFileLoads) {
  TempDir t;
  const std::string p = t.write(
      "ok.safetensors",
      safetensors_bytes(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "__metadata__": {"k": "v"}})",
                        std::string(8, '\0')));
  const SafeTensors st = load_safetensors(p);
  EXPECT_EQ(st.tensors.at("a").shape(), Shape({2}));
  EXPECT_EQ(st.metadata.at("k"), "v");
}

TEST(SafetensorsChecks, ForgedOffsetsAndSizesAreRefused) {
  TempDir t;
  auto load = [&](const std::string& header, const std::string& data) {
    load_safetensors(t.write("f.safetensors", safetensors_bytes(header, data)));
  };
  const std::string d8(8, '\0');
  // Offsets that wrap around 2^64 used to read the header bytes.
  EXPECT_ERROR_CONTAINS(load(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [18446744073709551608, 0]}})", d8),
                        "tensor 'a': data_offsets [18446744073709551608, 0) lie outside the data section");
  EXPECT_ERROR_CONTAINS(
      load(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [18446744073709551600, 18446744073709551608]}})",
           d8),
      "lie outside the data section of 8 bytes");
  EXPECT_ERROR_CONTAINS(load(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": ["0", "8"]}})", d8),
                        "f.safetensors: tensor 'a': data_offsets: expected [begin, end], two non-negative integers");
  EXPECT_ERROR_CONTAINS(load(R"({"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}})", d8),
                        "hold 8 bytes, but shape (3,) float32 needs 12");
  EXPECT_ERROR_CONTAINS(
      load(R"({"W1": {"dtype": "F32", "shape": [4611686018427387905, 1, 2, 2], "data_offsets": [0, 16]}})", d8),
      "tensor 'W1': shape (4611686018427387905, 1, 2, 2): the element count overflows 64 bits");
  EXPECT_ERROR_CONTAINS(load(R"({"a": {"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]}})", d8),
                        "shape: expected non-negative integers");
  EXPECT_ERROR_CONTAINS(load(R"({"a": {"dtype": "F16", "shape": [4], "data_offsets": [0, 8]}})", d8),
                        "dtype: expected \"F32\", \"F64\", \"I32\" or \"U8\", got \"F16\"");
  EXPECT_ERROR_CONTAINS(load(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                                 "b": {"dtype": "U8", "shape": [4], "data_offsets": [4, 8]}})",
                             d8),
                        "overlap another tensor's bytes");
  EXPECT_ERROR_CONTAINS(load(R"({"a": {"dtype": "U8", "shape": [4], "data_offsets": [0, 4]}})", d8),
                        "bytes [4, 8) of the data section belong to no tensor");
  EXPECT_ERROR_CONTAINS(load(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                                 "__metadata__": {"epoch": 3}})",
                             d8),
                        "__metadata__.epoch: expected a string");
  EXPECT_ERROR_CONTAINS(load(std::string(1000, '[') + std::string(1000, ']'), ""), "nested deeper than 64");
}

TEST(SafetensorsChecks, TheHeaderLengthIsCheckedBeforeReading) {
  TempDir t;
  std::string big(8, '\0');
  const uint64_t n = uint64_t(1) << 40;
  std::memcpy(&big[0], &n, 8);
  EXPECT_ERROR_CONTAINS(load_safetensors(t.write("big.safetensors", big + "{}")), "exceeds the limit of 16777216");
  std::string trunc(8, '\0');
  const uint64_t m = 100;
  std::memcpy(&trunc[0], &m, 8);
  EXPECT_ERROR_CONTAINS(load_safetensors(t.write("t.safetensors", trunc + "{}")),
                        "header length 100 exceeds the file size 10");
  EXPECT_ERROR_CONTAINS(load_safetensors(t.path.string()),
                        "cannot open checkpoint: found a directory, expected a file");
  if (fs::exists("/dev/zero"))  // used to read until memory ran out
    EXPECT_ERROR_CONTAINS(load_safetensors("/dev/zero"), "/dev/zero: cannot open checkpoint: found a character device");
}

TEST(SafetensorsChecks, ADtypeOtherThanTheModelsIsRefused) {
  NumpyRandom rng(0);
  ModelPtr model = build_model(small_fc_net(), rng);
  std::map<std::string, Tensor> state = model->state();
  state["W1"] = Tensor(state["W1"].shape(), DType::i32);  // used to be converted silently
  EXPECT_ERROR_CONTAINS(model->load_state(state), "'W1' is stored as int32, the model expects float32");
}

// --- Data files --------------------------------------------------------------

TEST(LibsvmChecks, HugeAndStrayFeatureIndicesAreRefused) {
  std::istringstream one("1 4611686018427387904:1\n");
  EXPECT_ERROR_CONTAINS(parse_libsvm(one, "f"), "f:1: feature index 4611686018427387904 is far beyond");
  std::istringstream two("1 1:1\n2 4611686018427387904:1\n");
  EXPECT_ERROR_CONTAINS(parse_libsvm(two, "f"), "f:2: feature index 4611686018427387904 is far beyond");
  std::istringstream same_line("1 1:1 184387905:3\n");  // found by fuzzing: a 1.5 GB row
  EXPECT_ERROR_CONTAINS(parse_libsvm(same_line, "f"), "(the next largest is 1)");
  std::istringstream dense("1 1:1 2000000:1\n2 1999999:1\n");  // not stray, but 2 x 2M values
  EXPECT_EQ(parse_libsvm(dense, "f").X.dim(1), 2000000);
  std::string rows;
  for (int i = 0; i < 20; ++i) rows += "3.5 1:0.1 2:0.2 13:0.5\n";
  std::istringstream stray(rows + "1 1:1 20000:1\n" + rows);
  EXPECT_ERROR_CONTAINS(parse_libsvm(stray, "housing"),
                        "housing:21: feature index 20000 is far beyond every other index in the file (the next "
                        "largest is 13)");
  std::istringstream wide(rows + "1 1:1 20000:1\n");
  EXPECT_EQ(parse_libsvm(wide, "housing", 20000).X.dim(1), 20000);  // asked for: fine
  std::istringstream huge(rows);
  EXPECT_ERROR_CONTAINS(parse_libsvm(huge, "housing", 4611686018427387904LL), "values convlab holds densely");
}

TEST(Cifar10Checks, SayWhatWasFoundWhereAFileWasExpected) {
  TempDir t;
  fs::create_directories(t.path / "dir" / "data_batch_1.bin");
  EXPECT_ERROR_CONTAINS(read_cifar10_batch((t.path / "dir" / "data_batch_1.bin").string()),
                        "CIFAR-10 batch file expected, found a directory");
  ASSERT_EQ(::mkfifo((t.path / "fifo.bin").c_str(), 0600), 0);
  EXPECT_ERROR_CONTAINS(read_cifar10_batch((t.path / "fifo.bin").string()), "found a FIFO (named pipe)");
  fs::create_symlink(t.path / "loop.bin", t.path / "loop.bin");
  EXPECT_ERROR_CONTAINS(read_cifar10_batch((t.path / "loop.bin").string()), "found a symlink loop");
  EXPECT_ERROR_CONTAINS(read_cifar10_batch((t.path / "none.bin").string()), "CIFAR-10 batch file not found");
  EXPECT_ERROR_CONTAINS(find_cifar10_dir((t.path / "dir").string()), "data_batch_1.bin is a directory");
  EXPECT_ERROR_CONTAINS(find_cifar10_dir((t.path / "fifo.bin").string(), "--data"),
                        "folder given by --data is a FIFO (named pipe)");
}

TEST(EvalChecks, AMistypedDataFolderIsAnErrorEvenWithTheEnvironmentSet) {
  TempDir t;
  NumpyRandom rng(0);
  const json cfg = {{"model", small_fc_net()}, {"data", {{"path", "elsewhere"}}}};
  ModelPtr model = build_model(cfg["model"], rng);
  const std::string ckpt = (t.path / "best.safetensors").string();
  save_safetensors(ckpt, model->state(), {{"config", cfg.dump()}});
  ::setenv("CONVLAB_CIFAR10_DIR", t.path.c_str(), 1);  // must not be used instead of --data
  EvalOptions opt;
  opt.device = "cpu";
  opt.data_path = (t.path / "cifar10-typo").string();
  std::ostringstream out;
  EXPECT_ERROR_CONTAINS(eval_command(ckpt, opt, out), "cifar10-typo: folder given by --data is not found");
  ::unsetenv("CONVLAB_CIFAR10_DIR");
  // A forged size in the stored config names the checkpoint.
  json forged = cfg;
  forged["model"]["hidden_dims"] = {4611686018427387904LL};
  save_safetensors(ckpt, model->state(), {{"config", forged.dump()}});
  EXPECT_ERROR_CONTAINS(eval_command(ckpt, opt, out), ckpt + ": model.hidden_dims[0]");
}

// --- Reports -----------------------------------------------------------------

TEST(PlotChecks, KaimingRunsHaveNoWeightScaleInsteadOfAnError) {
  TempDir t;
  t.write("history.json", R"({"loss_history": [2.3, 2.1], "train_acc_history": [0.1], "val_acc_history": [0.1]})");
  t.write("config.json", R"({"model": {"type": "sequential", "weight_scale": "kaiming"}})");
  const RunHistory r = read_run_history(t.path.string());
  EXPECT_FALSE(r.weight_scale.has_value());
  t.write("config.json", R"({"model": {"weight_scale": [1]}})");
  EXPECT_ERROR_CONTAINS(read_run_history(t.path.string()), "weight_scale must be a number, \"kaiming\" or \"pytorch\"");
}

TEST(PlotChecks, SeriesUnderAnotherMetricsNameAreRefused) {
  TempDir t;
  // A regression run's MAE beside series under the accuracy names.
  t.write("history.json", R"({"metric": "mae", "loss_history": [2.3, 2.1], "train_mae_history": [0.4],
                              "val_mae_history": [0.5], "train_acc_history": [0.4]})");
  EXPECT_ERROR_CONTAINS(read_run_history(t.path.string()),
                        "history.json: \"train_acc_history\" does not belong to its metric \"mae\" (expected "
                        "\"train_mae_history\" and \"val_mae_history\")");
  t.write("history.json", R"({"metric": "mae", "loss_history": [2.3, 2.1], "train_mae_history": [0.4],
                              "val_mae_history": [0.5]})");
  EXPECT_EQ(read_run_history(t.path.string()).val_metric, std::vector<double>{0.5});
  // Regression runs of earlier versions stored their MAE under the accuracy names only: still read.
  t.write("history.json", R"({"metric": "mae", "loss_history": [2.3, 2.1], "train_acc_history": [0.4],
                              "val_acc_history": [0.6]})");
  const RunHistory old = read_run_history(t.path.string());
  EXPECT_EQ(old.metric_name, "mae");
  EXPECT_EQ(old.val_metric, std::vector<double>{0.6});
}

TEST(RegressionReport, LargeNumbersNeverRunColumnsTogether) {
  LinearModel m;
  RegressionMetrics r;
  r.train = {404, 24213.0975828298851, 51236288.2283948660};
  r.test = {102, 3.5, 21.25};
  std::ostringstream out;
  print_regression_metrics("linear_regression_sgd", m, r, out);
  std::istringstream lines(out.str());
  std::string line;
  int rows = 0;
  while (std::getline(lines, line)) {
    if (line.rfind("train ", 0) != 0 && line.rfind("test ", 0) != 0) continue;
    ++rows;
    std::istringstream cols(line);
    std::string name;
    double n = 0, mae = 0, mse = 0;
    ASSERT_TRUE(cols >> name >> n >> mae >> mse) << line;
    if (name == "train") {
      EXPECT_NEAR(mae, 24213.0975828, 1e-5) << line;
      EXPECT_NEAR(mse, 51236288.23, 1e-2) << line;
    }
  }
  EXPECT_EQ(rows, 2) << out.str();
}

// --- Training ----------------------------------------------------------------

namespace {
// sgd on loss = 0.5 W^2 (dW = W) for 40 one-iteration epochs: the divergence
// window is then 40 / 4 = 10 iterations. Returns whether training finished.
bool train_quadratic(double lr, std::string* stop_reason, int* calls) {
  test::QuadraticModel model({1.0, 2.0});
  SolverOptions so;
  so.optim.learning_rate = lr;
  so.batch_size = 2;
  so.num_epochs = 40;
  so.verbose = false;
  NumpyRandom rng(0);
  std::ostringstream out;
  Solver solver(model, test::toy_dataset({0, 1}), test::toy_dataset({0, 1}), so, rng, out);
  const bool ok = solver.train();
  *stop_reason = solver.stop_reason();
  *calls = model.calls;
  return ok;
}
}  // namespace

TEST(Divergence, AFiniteLossFarAboveTheStartStopsTraining) {
  // lr 3 maps W to -2W: the loss grows 4x per step and stays finite for hundreds of steps.
  std::string why;
  int calls = 0;
  EXPECT_FALSE(train_quadratic(3.0, &why, &calls));
  EXPECT_NE(why.find("diverged: the loss stayed above 25 (10x the first iteration's 2.5) for 10 iterations"),
            std::string::npos)
      << why;
  EXPECT_EQ(calls, 12);  // losses 3..12 are above the limit; the loss is checked after every epoch
}

TEST(Divergence, ALossThatFallsIsNotDivergence) {
  std::string why;
  int calls = 0;
  EXPECT_TRUE(train_quadratic(0.1, &why, &calls)) << why;
  EXPECT_EQ(calls, 40);
}

// --- The CLI: exit status 2 with a message, never a signal ---------------------

#ifdef CONVLAB_CLI_PATH
namespace {
// Runs the convlab binary; returns its exit status (-1 when killed by a signal) and stderr.
int run_cli(const TempDir& t, const std::string& args, std::string* err) {
  const std::string log = (t.path / "stderr.txt").string();
  const std::string cmd = std::string(CONVLAB_CLI_PATH) + " " + args + " > /dev/null 2> '" + log + "'";
  const int status = std::system(cmd.c_str());
  std::ifstream in(log);
  std::stringstream ss;
  ss << in.rdbuf();
  *err = ss.str();
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
}  // namespace

TEST(CliChecks, ForgedSizesExitWithStatusTwo) {
  TempDir t;
  const std::string cfg = t.write("fc.json", json({{"model", small_fc_net()}, {"device", "cpu"}}).dump());
  std::string err;
  EXPECT_EQ(run_cli(t,
                    "train " + cfg + " --out " + (t.path / "run").string() +
                        " --set 'model.hidden_dims=[4611686018427387904]'",
                    &err),
            2);
  EXPECT_NE(err.find("convlab: error: model.hidden_dims[0]"), std::string::npos) << err;
  const std::string forged = t.write(
      "w.safetensors",
      safetensors_bytes(R"({"W1": {"dtype": "F32", "shape": [4611686018427387905, 1, 2, 2], "data_offsets": [0, 16]}})",
                        std::string(16, '\0')));
  EXPECT_EQ(run_cli(t, "viz-filters " + forged, &err), 2);
  EXPECT_NE(err.find("overflows 64 bits"), std::string::npos) << err;
  EXPECT_EQ(run_cli(t, "eval " + forged, &err), 2);
  if (fs::exists("/dev/zero")) {
    EXPECT_EQ(run_cli(t, "eval /dev/zero", &err), 2);
    EXPECT_NE(err.find("found a character device"), std::string::npos) << err;
  }
  const std::string deep = t.write("deep.json", std::string(200000, '['));
  EXPECT_EQ(run_cli(t, "train " + deep, &err), 2);
  EXPECT_NE(err.find("nested deeper than 64"), std::string::npos) << err;
}
#endif
