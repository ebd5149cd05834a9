// The models, the Solver and `convlab train` for the Python package
// (python/convlab/classifiers.py, solver.py, train.py): a model built from its
// config section (models/model_factory.h), its parameters as arrays over the
// model's own storage, and the Solver on in-memory data (host/solver/solver.h).
#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <streambuf>
#include <string>

#include <nanobind/stl/function.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "host/config/config.h"
#include "host/config/json_reader.h"
#include "host/data/dataset.h"
#include "host/run/train.h"
#include "host/solver/safetensors.h"
#include "host/solver/solver.h"
#include "kernels/runtime/cuda_device.h"
#include "models/model_factory.h"
#include "python/src/arrays.h"
#include "python/src/bindings.h"

namespace convlab::python {

namespace {

// A std::ostream that writes to Python's sys.stdout, a line at a time, so
// that the Solver's lines show in a notebook as print() output does.
class PythonStdout : public std::streambuf {
 public:
  ~PythonStdout() override { flush_line(); }

 protected:
  int overflow(int c) override {
    if (c == traits_type::eof()) return 0;
    line_.push_back(static_cast<char>(c));
    if (c == '\n') flush_line();
    return c;
  }
  int sync() override {
    flush_line();
    return 0;
  }

 private:
  void flush_line() {
    if (line_.empty()) return;
    nb::module_::import_("sys").attr("stdout").attr("write")(line_);
    line_.clear();
  }
  std::string line_;
};

struct PyModel {
  ModelPtr model;
  nlohmann::json spec;
};

nb::dict arrays_of(const std::map<std::string, Tensor>& tensors) {
  nb::dict d;
  for (const auto& kv : tensors)
    if (kv.second.defined()) d[kv.first.c_str()] = to_array(kv.second);
  return d;
}

// A CPU float32 copy of the inputs (the Dataset's format), labels as int32.
Dataset dataset(const Array& X, const Array& y, const char* xname, const char* yname) {
  Tensor x = to_tensor(X, xname).to(Device::cpu);
  CONVLAB_CHECK(x.dtype() == DType::f32 || x.dtype() == DType::u8,
                xname << ": expected float32 or uint8 data, got " << dtype_name(x.dtype()));
  Tensor labels = to_tensor(y, yname).to(Device::cpu);
  CONVLAB_CHECK(labels.dtype() == DType::i32, yname << ": expected int32 labels, got " << dtype_name(labels.dtype()));
  CONVLAB_CHECK(x.ndim() >= 2 && labels.ndim() == 1 && labels.dim(0) == x.dim(0),
                xname << " " << shape_str(x.shape()) << " and " << yname << " " << shape_str(labels.shape())
                      << ": expected (N, ...) inputs and (N,) labels");
  return Dataset(x, labels, Tensor());
}

nb::dict history_dict(const Solver& s) {
  const History& h = s.history();
  nb::dict d;
  d["loss_history"] = h.loss_history;
  d["train_acc_history"] = h.train_metric;
  d["val_acc_history"] = h.val_metric;
  d["check_epoch"] = h.check_epoch;
  d["epoch_time_s"] = h.epoch_time_s;
  d["best_val_acc"] = s.best_val_metric();
  d["best_epoch"] = s.best_epoch();
  d["epoch"] = s.epoch();
  d["iterations"] = s.iterations_done();
  d["stop_reason"] = s.stop_reason();
  d["best_params"] = arrays_of(s.best_state());
  return d;
}

}  // namespace

void bind_models(nb::module_& m) {
  nb::class_<PyModel>(m, "Model", "A convlab model (models/model.h), built by build_model.")
      .def_prop_ro("type", [](const PyModel& p) { return p.model->type(); })
      .def_prop_ro("device", [](const PyModel& p) { return std::string(device_name(p.model->device())); })
      .def("describe", [](const PyModel& p) { return p.model->describe().dump(); })
      .def("plan", [](const PyModel& p) { return p.model->plan(); })
      .def(
          "loss",
          [](PyModel& p, const Array& X, const Array& y) {
            const Device dev = p.model->device();
            return p.model->loss_value(to_tensor(X, "X").to(dev), to_tensor(y, "y").to(dev));
          },
          "X"_a, "y"_a, "Train mode: the loss; the gradients are then in grads().")
      .def(
          "scores",
          [](PyModel& p, const Array& X) {
            OpDevice d("", X);
            return d.out_array(p.model->scores(to_tensor(X, "X").to(p.model->device())));
          },
          "X"_a)
      .def(
          "params", [](PyModel& p) { return arrays_of(p.model->params()); },
          "The parameters by name, as arrays over the model's own memory.")
      .def(
          "grads",
          [](PyModel& p) {
            std::map<std::string, Tensor> copies;
            for (const auto& kv : p.model->grads())
              if (kv.second.defined()) copies[kv.first] = kv.second.clone();
            return arrays_of(copies);
          },
          "Copies of the gradients of the last loss() (the next call overwrites the model's own).")
      .def("buffers", [](PyModel& p) { return arrays_of(p.model->buffers()); })
      .def(
          "to", [](PyModel& p, const std::string& device) { p.model->to(parse_device(device)); }, "device"_a)
      .def(
          "save",
          [](PyModel& p, const std::string& path) {
            save_safetensors(path, p.model->state(), {{"model", p.spec.dump()}});
          },
          "path"_a, "The parameters and buffers as a safetensors file.");

  m.def(
      "build_model",
      [](const std::string& spec_json, uint32_t seed) {
        NumpyRandom rng(seed);
        auto spec = config::parse_json(spec_json, "model");
        return PyModel{build_model(spec, rng), spec};
      },
      "spec"_a, "seed"_a, "A model from its config section (docs/config.md), weights drawn with the seed.");

  m.def(
      "solve",
      [](PyModel& p, const Array& X_train, const Array& y_train, const Array& X_val, const Array& y_val,
         const std::string& solver_json, const std::string& checkpoint_name) {
        nlohmann::json run = {{"model", p.spec}, {"solver", config::parse_json(solver_json, "solver")}};
        const config::RunConfig cfg = config::parse_run_config(run);
        const Device dev = p.model->device();
        Dataset train = dataset(X_train, y_train, "X_train", "y_train").to(dev);
        Dataset val = dataset(X_val, y_val, "X_val", "y_val").to(dev);
        PythonStdout buf;
        std::ostream out(&buf);
        NumpyRandom rng(cfg.solver.seed);
        SolverOptions so = solver_options(cfg.solver);
        so.prefetch = cfg.data.prefetch;
        Solver solver(*p.model, train, val, so, rng, out);
        if (!checkpoint_name.empty())
          solver.on_check = [&](int64_t epoch, bool) {
            if (epoch < 1) return;
            save_safetensors(checkpoint_name + "_epoch_" + std::to_string(epoch) + ".safetensors", p.model->state(),
                             {{"model", p.spec.dump()}, {"epoch", std::to_string(epoch)}});
          };
        // Ctrl-C (a notebook's interrupt) stops training between steps with KeyboardInterrupt.
        solver.on_step = [](int64_t) {
          if (PyErr_CheckSignals() != 0) throw nb::python_error();
        };
        const bool ok = solver.train();
        out.flush();
        nb::dict h = history_dict(solver);
        h["ok"] = ok;
        return h;
      },
      "model"_a, "X_train"_a, "y_train"_a, "X_val"_a, "y_val"_a, "solver"_a, "checkpoint_name"_a,
      "Trains the model with the Solver (the config's solver section); returns the history.");

  m.def(
      "train",
      [](const std::string& config_path, const std::vector<std::string>& overrides, const std::string& device,
         const std::string& out_dir, bool overwrite) {
        TrainOptions opt;
        opt.overrides = overrides;
        opt.device = device;
        opt.out_dir = out_dir;
        opt.overwrite = overwrite;
        std::string folder;
        opt.on_folder = [&](const std::string& path) { folder = path; };
        PythonStdout buf;
        std::ostream out(&buf);
        const int status = train_command(config_path, opt, out);
        out.flush();
        return nb::make_tuple(status, folder);
      },
      "config"_a, "overrides"_a, "device"_a, "out"_a, "overwrite"_a,
      "`convlab train CONFIG`: returns (exit status, run folder).");

  m.def("cuda_available", [] { return cuda::available(); });
  m.def(
      "to_device",
      [](const Array& a, const std::string& device) {
        return to_array(to_tensor(a, "array").to(parse_device(device)));
      },
      "array"_a, "device"_a, "A copy on the device (\"cuda\": a DLPack array on the GPU), or the array itself.");
}

}  // namespace convlab::python
