#include "host/data/prefetch_loader.h"

#include "host/error.h"

namespace convlab {

PrefetchLoader::PrefetchLoader() : thread_([this] { run(); }) {}

PrefetchLoader::~PrefetchLoader() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
    job_ = nullptr;  // a job not started yet is dropped
  }
  cv_.notify_all();
  thread_.join();
}

void PrefetchLoader::submit(Job job) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    CONVLAB_CHECK(!pending_, "PrefetchLoader::submit: the previous batch was not taken");
    job_ = std::move(job);
    result_.reset();
    error_ = nullptr;
    pending_ = true;
  }
  cv_.notify_all();
}

Batch PrefetchLoader::take() {
  std::unique_lock<std::mutex> lock(mutex_);
  CONVLAB_CHECK(pending_, "PrefetchLoader::take: no batch was submitted");
  cv_.wait(lock, [this] { return result_.has_value() || error_ != nullptr; });
  pending_ = false;
  if (error_) {
    std::exception_ptr e = error_;
    error_ = nullptr;
    std::rethrow_exception(e);
  }
  Batch b = std::move(*result_);
  result_.reset();
  return b;
}

bool PrefetchLoader::pending() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return pending_;
}

void PrefetchLoader::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    cv_.wait(lock, [this] { return stop_ || job_ != nullptr; });
    if (stop_) return;
    Job job = std::move(job_);
    job_ = nullptr;
    lock.unlock();
    std::optional<Batch> batch;
    std::exception_ptr error;
    try {
      batch = job();
    } catch (...) {
      error = std::current_exception();
    }
    lock.lock();
    result_ = std::move(batch);
    error_ = error;
    cv_.notify_all();
  }
}

}  // namespace convlab
