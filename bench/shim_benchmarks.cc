// BM_ShimTranslate/...: what the agent shim's pure translation costs per
// message (agent_shim/translate.h), for the two messages of the hot path:
// a status update (executor -> agent) and its acknowledgement (agent ->
// executor), in both directions. The *FromLegacy cases start from wire
// bytes, so they include parsing. items_per_second = messages translated
// per second (ns per message = 1e9 / items_per_second); p50_us/p99_us time
// every 64th translation on its own.
#include <string>
#include <vector>

#include "agent_shim/translate.h"
#include "bench/bench_loops.h"
#include "bench/benchmarks.h"
#include "bench/latency.h"
#include "benchmark/benchmark.h"
#include "util/uuid.h"

namespace executor_runtime {
namespace bench {
namespace {

using agent_shim::Call;
using agent_shim::Event;
using agent_shim::LegacyContext;

LegacyContext MakeContext() {
  LegacyContext context;
  context.framework_id.set_value("bench-framework");
  context.executor_id.set_value("bench-executor");
  context.slave_id.set_value("bench-agent");
  context.framework_info.set_user("bench");
  context.framework_info.set_name("bench");
  *context.framework_info.mutable_id() = context.framework_id;
  *context.executor_info.mutable_executor_id() = context.executor_id;
  context.now_seconds = 1.7e9;
  return context;
}

Call MakeUpdateCall() {
  Call call;
  call.set_type(Call::UPDATE);
  call.mutable_framework_id()->set_value("bench-framework");
  call.mutable_executor_id()->set_value("bench-executor");
  mesos::TaskStatus* status = call.mutable_update()->mutable_status();
  status->mutable_task_id()->set_value("task-0");
  status->set_state(mesos::TASK_RUNNING);
  status->set_source(mesos::TaskStatus::SOURCE_EXECUTOR);
  status->mutable_executor_id()->set_value("bench-executor");
  status->mutable_slave_id()->set_value("bench-agent");
  status->set_timestamp(1.7e9);
  status->set_uuid(NewUuidBytes());
  return call;
}

Event MakeAckEvent() {
  Event event;
  event.set_type(Event::ACKNOWLEDGED);
  event.mutable_acknowledged()->mutable_task_id()->set_value("task-0");
  event.mutable_acknowledged()->set_uuid(NewUuidBytes());
  return event;
}

// Runs `translate` (returns true on success) once per benchmark iteration.
template <typename Translate>
void RunTranslate(benchmark::State& state, Translate translate) {
  LatencySamples samples;
  uint64_t n = 0;
  for (auto _ : state) {
    bool ok;
    if ((n++ & 63) == 0) {
      const int64_t start = NowNanos();
      ok = translate();
      samples.Add(NowNanos() - start);
    } else {
      ok = translate();
    }
    if (!ok) {
      state.SkipWithError("translation failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
  ReportLatencies(state, std::move(samples));
}

void BM_CallToLegacyUpdate(benchmark::State& state) {
  const LegacyContext context = MakeContext();
  const Call call = MakeUpdateCall();
  RunTranslate(state, [&] {
    auto legacy = agent_shim::CallToLegacy(call, context);
    benchmark::DoNotOptimize(legacy);
    return legacy.ok() && legacy->size() == 1;
  });
}

void BM_CallFromLegacyUpdateBytes(benchmark::State& state) {
  const LegacyContext context = MakeContext();
  auto legacy = agent_shim::CallToLegacy(MakeUpdateCall(), context);
  if (!legacy.ok() || legacy->size() != 1) {
    state.SkipWithError("could not build a StatusUpdateMessage");
    return;
  }
  const std::string type_name = (*legacy)[0].type_name;
  const std::string bytes = (*legacy)[0].Serialize();
  RunTranslate(state, [&] {
    auto call = agent_shim::CallFromLegacy(type_name, bytes, context);
    benchmark::DoNotOptimize(call);
    return call.ok();
  });
}

void BM_EventToLegacyAck(benchmark::State& state) {
  const LegacyContext context = MakeContext();
  const Event event = MakeAckEvent();
  RunTranslate(state, [&] {
    auto legacy = agent_shim::EventToLegacy(event, context);
    benchmark::DoNotOptimize(legacy);
    return legacy.ok() && legacy->size() == 1;
  });
}

void BM_EventFromLegacyAckBytes(benchmark::State& state) {
  const LegacyContext context = MakeContext();
  auto legacy = agent_shim::EventToLegacy(MakeAckEvent(), context);
  if (!legacy.ok() || legacy->size() != 1) {
    state.SkipWithError("could not build an acknowledgement message");
    return;
  }
  const std::string type_name = (*legacy)[0].type_name;
  const std::string bytes = (*legacy)[0].Serialize();
  RunTranslate(state, [&] {
    auto event = agent_shim::EventFromLegacy(type_name, bytes, context);
    benchmark::DoNotOptimize(event);
    return event.ok();
  });
}

}  // namespace

void RegisterShimBenchmarks() {
  benchmark::RegisterBenchmark("BM_ShimTranslate/CallToLegacy:update",
                               BM_CallToLegacyUpdate);
  benchmark::RegisterBenchmark("BM_ShimTranslate/CallFromLegacy:update_bytes",
                               BM_CallFromLegacyUpdateBytes);
  benchmark::RegisterBenchmark("BM_ShimTranslate/EventToLegacy:ack",
                               BM_EventToLegacyAck);
  benchmark::RegisterBenchmark("BM_ShimTranslate/EventFromLegacy:ack_bytes",
                               BM_EventFromLegacyAckBytes);
}

}  // namespace bench
}  // namespace executor_runtime
