#include "bench/raw_grpc.h"

#include <atomic>
#include <cstring>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "api/executor/agent.grpc.pb.h"
#include "bench/ack_counter.h"
#include "grpcpp/grpcpp.h"

namespace executor_runtime {
namespace bench {
namespace {

using mesos::executor::Call;
using mesos::executor::Event;

// Send times by sequence number, for the updates on the wire. A batch never
// exceeds this many unacknowledged updates.
constexpr size_t kSendTimeRing = size_t{1} << 17;

Event MakeSubscribed(const Call& subscribe) {
  Event event;
  event.set_type(Event::SUBSCRIBED);
  Event::Subscribed* subscribed = event.mutable_subscribed();
  *subscribed->mutable_executor_info()->mutable_executor_id() =
      subscribe.executor_id();
  subscribed->mutable_framework_info()->set_user("bench");
  subscribed->mutable_framework_info()->set_name("bench");
  *subscribed->mutable_framework_info()->mutable_id() =
      subscribe.framework_id();
  subscribed->mutable_agent_info()->set_hostname("localhost");
  return event;
}

void FillAck(const Call& update, Event* ack) {
  ack->set_type(Event::ACKNOWLEDGED);
  Event::Acknowledged* acknowledged = ack->mutable_acknowledged();
  *acknowledged->mutable_task_id() = update.update().status().task_id();
  acknowledged->set_uuid(update.update().status().uuid());
}

// Acknowledgements queued by the reading thread for the writing thread
// (kCorked server).
class AckQueue {
 public:
  void Push(Event event) {
    absl::MutexLock lock(&mu_);
    queue_.push_back(std::move(event));
  }
  void Close() {
    absl::MutexLock lock(&mu_);
    closed_ = true;
  }
  // Waits for acknowledgements; false once closed and drained.
  bool PopAll(std::vector<Event>* out) {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](AckQueue* q) ABSL_EXCLUSIVE_LOCKS_REQUIRED(q->mu_) {
          return q->closed_ || !q->queue_.empty();
        },
        this));
    out->clear();
    out->swap(queue_);
    return !out->empty();
  }

 private:
  absl::Mutex mu_;
  std::vector<Event> queue_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace

class RawAckServer::Service final : public mesos::executor::Agent::Service {
 public:
  explicit Service(RawMode mode) : mode_(mode) {}

  grpc::Status Connect(grpc::ServerContext* context,
                       grpc::ServerReaderWriter<Event, Call>* stream) override {
    Call call;
    if (!stream->Read(&call)) return grpc::Status::OK;
    if (call.type() != Call::SUBSCRIBE) {
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                          "the first call must be SUBSCRIBE");
    }
    if (!stream->Write(MakeSubscribed(call))) return grpc::Status::OK;
    if (mode_ == RawMode::kNaive) {
      // Read one, acknowledge it, repeat.
      Event ack;
      while (stream->Read(&call)) {
        if (call.type() != Call::UPDATE) continue;
        FillAck(call, &ack);
        if (!stream->Write(ack)) break;
      }
      return grpc::Status::OK;
    }
    // Corked: a writer thread sends whatever acknowledgements queued up,
    // with the buffer hint on all but the last.
    AckQueue queue;
    std::thread writer([&queue, stream] {
      std::vector<Event> acks;
      bool ok = true;
      while (queue.PopAll(&acks)) {
        for (size_t i = 0; ok && i < acks.size(); ++i) {
          grpc::WriteOptions options;
          if (i + 1 < acks.size()) options.set_buffer_hint();
          ok = stream->Write(acks[i], options);
        }
      }
    });
    while (stream->Read(&call)) {
      if (call.type() != Call::UPDATE) continue;
      Event ack;
      FillAck(call, &ack);
      queue.Push(std::move(ack));
    }
    queue.Close();
    writer.join();
    return grpc::Status::OK;
  }

 private:
  const RawMode mode_;
};

RawAckServer::RawAckServer(RawMode mode)
    : service_(std::make_unique<Service>(mode)) {
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                           &port);
  builder.RegisterService(service_.get());
  server_ = builder.BuildAndStart();
  target_ = absl::StrCat("127.0.0.1:", port);
}

RawAckServer::~RawAckServer() {
  if (server_ != nullptr) server_->Shutdown();
}

class RawClient::Impl {
 public:
  Impl(std::shared_ptr<grpc::Channel> channel, RawMode mode,
       int latency_sample_every)
      : mode_(mode),
        sample_every_(latency_sample_every),
        stub_(mesos::executor::Agent::NewStub(channel)),
        stream_(stub_->Connect(&context_)),
        send_times_(kSendTimeRing) {
    call_.mutable_executor_id()->set_value("raw-executor");
    call_.mutable_framework_id()->set_value("raw-framework");
  }

  absl::Status Subscribe() {
    call_.set_type(Call::SUBSCRIBE);
    call_.mutable_subscribe();
    Event event;
    if (!stream_->Write(call_) || !stream_->Read(&event) ||
        event.type() != Event::SUBSCRIBED) {
      return absl::UnavailableError("raw stream: SUBSCRIBE was not answered");
    }
    // From now on call_ is the UPDATE template.
    call_.clear_subscribe();
    call_.set_type(Call::UPDATE);
    mesos::TaskStatus* status = call_.mutable_update()->mutable_status();
    status->mutable_task_id()->set_value("task-0");
    status->set_state(mesos::TASK_RUNNING);
    status->set_source(mesos::TaskStatus::SOURCE_EXECUTOR);
    status->mutable_executor_id()->set_value("raw-executor");
    status->mutable_slave_id()->set_value("raw-agent");
    reader_ = std::thread([this] { ReadLoop(); });
    return absl::OkStatus();
  }

  absl::Status Send(int count, uint64_t first_sequence) {
    mesos::TaskStatus* status = call_.mutable_update()->mutable_status();
    char uuid[16] = {};
    for (int i = 0; i < count; ++i) {
      const uint64_t sequence = first_sequence + i;
      std::memcpy(uuid, &sequence, sizeof(sequence));
      status->set_uuid(uuid, sizeof(uuid));
      const int64_t now = NowNanos();
      status->set_timestamp(now / 1e9);
      send_times_[sequence % kSendTimeRing].store(now,
                                                  std::memory_order_relaxed);
      grpc::WriteOptions options;
      if (mode_ == RawMode::kCorked && i + 1 < count) {
        options.set_buffer_hint();
      }
      if (!stream_->Write(call_, options)) {
        return absl::UnavailableError("raw stream: Write failed");
      }
    }
    return absl::OkStatus();
  }

  bool WaitAcked(uint64_t total) {
    return acked_.WaitFor(total, absl::Seconds(60));
  }

  LatencySamples TakeLatencies() {
    absl::MutexLock lock(&mu_);
    LatencySamples out;
    std::swap(out, latencies_);
    return out;
  }

  void Close() {
    if (!reader_.joinable()) return;
    stream_->WritesDone();
    reader_.join();
    stream_->Finish().ok();
  }

 private:
  void ReadLoop() {
    Event event;
    while (stream_->Read(&event)) {
      if (event.type() != Event::ACKNOWLEDGED) continue;
      const int64_t now = NowNanos();
      uint64_t sequence = 0;
      const std::string& uuid = event.acknowledged().uuid();
      if (uuid.size() >= sizeof(sequence)) {
        std::memcpy(&sequence, uuid.data(), sizeof(sequence));
      }
      if (sequence % sample_every_ == 0) {
        const int64_t sent = send_times_[sequence % kSendTimeRing].load(
            std::memory_order_relaxed);
        absl::MutexLock lock(&mu_);
        latencies_.Add(now - sent);
      }
      acked_.Increment();
    }
    acked_.Close();
  }

  const RawMode mode_;
  const int sample_every_;  // Latency of every n-th update.
  grpc::ClientContext context_;
  std::unique_ptr<mesos::executor::Agent::Stub> stub_;
  std::unique_ptr<grpc::ClientReaderWriter<Call, Event>> stream_;
  Call call_;  // the sending thread's template
  std::vector<std::atomic<int64_t>> send_times_;
  std::thread reader_;

  AckCounter acked_;
  absl::Mutex mu_;
  LatencySamples latencies_ ABSL_GUARDED_BY(mu_);
};

absl::StatusOr<std::unique_ptr<RawClient>> RawClient::Connect(
    const std::string& target, RawMode mode, int latency_sample_every) {
  if (latency_sample_every < 1) {
    return absl::InvalidArgumentError("latency_sample_every must be >= 1");
  }
  auto impl = std::make_unique<Impl>(
      grpc::CreateChannel(target, grpc::InsecureChannelCredentials()), mode,
      latency_sample_every);
  absl::Status status = impl->Subscribe();
  if (!status.ok()) return status;
  return std::unique_ptr<RawClient>(new RawClient(std::move(impl)));
}

RawClient::RawClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

RawClient::~RawClient() { impl_->Close(); }

absl::Status RawClient::Send(int count) {
  absl::Status status = impl_->Send(count, sent_);
  if (status.ok()) sent_ += count;
  return status;
}

bool RawClient::WaitAcked(uint64_t total) { return impl_->WaitAcked(total); }

LatencySamples RawClient::TakeLatencies() { return impl_->TakeLatencies(); }

}  // namespace bench
}  // namespace executor_runtime
