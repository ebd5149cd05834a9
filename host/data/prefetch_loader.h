// PrefetchLoader: one background thread that prepares the next training batch
// while the current step trains (double buffering: the Solver holds batch t,
// the thread fills batch t + 1).
//
//   loader.submit([=] { return dataset.gather(indices, params, pad); });
//   ... train on the current batch ...
//   Batch next = loader.take();  // waits for the job; rethrows its exception
//
// At most one job is in flight: submit() while one is pending is a logic
// error. The destructor lets a running job finish, drops its result and joins
// the thread, so training that stops early (or throws) never hangs. An
// exception thrown by a job is kept and rethrown by take() on the caller's thread.
#pragma once
#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "host/data/dataset.h"

namespace convlab {

class PrefetchLoader {
 public:
  using Job = std::function<Batch()>;

  PrefetchLoader();
  ~PrefetchLoader();
  PrefetchLoader(const PrefetchLoader&) = delete;
  PrefetchLoader& operator=(const PrefetchLoader&) = delete;

  void submit(Job job);  // starts `job` on the thread
  Batch take();          // the submitted job's batch (waits for it); rethrows its exception
  bool pending() const;  // a job was submitted and not taken yet

 private:
  void run();

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  Job job_;                      // waiting to start
  std::optional<Batch> result_;  // finished
  std::exception_ptr error_;     // the finished job threw
  bool pending_ = false, stop_ = false;
  std::thread thread_;  // last: started after the members it uses
};

}  // namespace convlab
