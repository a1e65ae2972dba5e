#include "agent_shim/internal/translate_test_util.h"

#include "util/uuid.h"

namespace executor_runtime {
namespace agent_shim {
namespace testing {
namespace {

std::string RandomBytes(std::mt19937& rng, size_t max_length) {
  std::uniform_int_distribution<size_t> length(0, max_length);
  std::uniform_int_distribution<int> byte(0, 255);
  std::string result(length(rng), '\0');
  for (char& c : result) c = static_cast<char>(byte(rng));
  return result;
}

std::string RandomName(std::mt19937& rng) {
  static const char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789-_.";
  std::uniform_int_distribution<size_t> length(1, 24);
  std::uniform_int_distribution<size_t> pick(0, sizeof(kChars) - 2);
  std::string result(length(rng), ' ');
  for (char& c : result) c = kChars[pick(rng)];
  return result;
}

mesos::TaskState RandomState(std::mt19937& rng) {
  static const mesos::TaskState kStates[] = {
      mesos::TASK_STARTING, mesos::TASK_RUNNING, mesos::TASK_KILLING,
      mesos::TASK_FINISHED, mesos::TASK_FAILED,  mesos::TASK_KILLED,
      mesos::TASK_ERROR,    mesos::TASK_LOST,    mesos::TASK_DROPPED};
  std::uniform_int_distribution<size_t> pick(0, 8);
  return kStates[pick(rng)];
}

mesos::TaskInfo RandomTask(std::mt19937& rng) {
  mesos::TaskInfo task = TestTask(RandomName(rng));
  task.set_name(RandomName(rng));
  task.set_data(RandomBytes(rng, 64));
  if (rng() % 2) {
    task.mutable_kill_policy()->mutable_grace_period()->set_nanoseconds(
        static_cast<int64_t>(rng()));
  }
  if (rng() % 2) {
    mesos::Resource* cpus = task.add_resources();
    cpus->set_name("cpus");
    cpus->set_type(mesos::Value::SCALAR);
    cpus->mutable_scalar()->set_value((rng() % 400) / 100.0);
  }
  return task;
}

Call::Update RandomUpdate(std::mt19937& rng) {
  Call::Update update;
  *update.mutable_status() =
      TestStatus(RandomName(rng), RandomState(rng), NewUuidBytes());
  if (rng() % 2) update.mutable_status()->set_message(RandomName(rng));
  if (rng() % 2) update.mutable_status()->set_data(RandomBytes(rng, 32));
  if (rng() % 2) {
    update.mutable_status()->set_reason(
        mesos::TaskStatus::REASON_TASK_KILLED_DURING_LAUNCH);
  }
  update.mutable_status()->set_timestamp(1.6e9 + (rng() % 1000000) / 7.0);
  return update;
}

}  // namespace

LegacyContext TestContext() {
  LegacyContext context;
  context.framework_id.set_value("fw-1");
  context.executor_id.set_value("ex-1");
  context.slave_id.set_value("agent-1");
  context.framework_info.set_user("alice");
  context.framework_info.set_name("test framework");
  context.framework_info.mutable_id()->set_value("fw-1");
  context.framework_info.set_checkpoint(true);
  *context.executor_info.mutable_executor_id() = context.executor_id;
  *context.executor_info.mutable_framework_id() = context.framework_id;
  context.executor_info.set_name("test executor");
  context.now_seconds = 1700000000.5;
  return context;
}

mesos::TaskInfo TestTask(const std::string& task_id) {
  mesos::TaskInfo task;
  task.set_name("task " + task_id);
  task.mutable_task_id()->set_value(task_id);
  task.mutable_slave_id()->set_value("agent-1");
  task.set_data("payload of " + task_id);
  return task;
}

mesos::TaskStatus TestStatus(const std::string& task_id, mesos::TaskState state,
                             const std::string& uuid) {
  mesos::TaskStatus status;
  status.mutable_task_id()->set_value(task_id);
  status.set_state(state);
  status.set_uuid(uuid);
  status.set_timestamp(1700000001.25);
  status.set_source(mesos::TaskStatus::SOURCE_EXECUTOR);
  status.mutable_executor_id()->set_value("ex-1");
  return status;
}

Call::Update TestUpdate(const std::string& task_id, mesos::TaskState state) {
  Call::Update update;
  *update.mutable_status() = TestStatus(task_id, state, NewUuidBytes());
  return update;
}

Call BaseCall(Call::Type type) {
  Call call;
  call.mutable_framework_id()->set_value("fw-1");
  call.mutable_executor_id()->set_value("ex-1");
  call.set_type(type);
  return call;
}

Event BaseEvent(Event::Type type) {
  Event event;
  event.set_type(type);
  return event;
}

std::vector<Call> SampleCalls(bool reregistering) {
  std::vector<Call> calls;
  if (!reregistering) {
    Call subscribe = BaseCall(Call::SUBSCRIBE);
    subscribe.mutable_subscribe();
    calls.push_back(subscribe);
  }
  Call resubscribe = BaseCall(Call::SUBSCRIBE);
  *resubscribe.mutable_subscribe()->add_unacknowledged_tasks() = TestTask("t1");
  *resubscribe.mutable_subscribe()->add_unacknowledged_updates() =
      TestUpdate("t2", mesos::TASK_RUNNING);
  calls.push_back(resubscribe);
  Call update = BaseCall(Call::UPDATE);
  *update.mutable_update() = TestUpdate("t1", mesos::TASK_RUNNING);
  calls.push_back(update);
  Call batch = BaseCall(Call::UPDATE);
  *batch.mutable_update() = TestUpdate("t1", mesos::TASK_RUNNING);
  *batch.add_batched_updates() = TestUpdate("t1", mesos::TASK_FINISHED);
  *batch.add_batched_updates() = TestUpdate("t2", mesos::TASK_FAILED);
  calls.push_back(batch);
  Call message = BaseCall(Call::MESSAGE);
  message.mutable_message()->set_data(std::string("hi\0there", 8));
  calls.push_back(message);
  return calls;
}

std::vector<Event> SampleEvents(bool reregistering) {
  LegacyContext context = TestContext();
  std::vector<Event> events;
  Event subscribed = BaseEvent(Event::SUBSCRIBED);
  *subscribed.mutable_subscribed()->mutable_executor_info() =
      context.executor_info;
  *subscribed.mutable_subscribed()->mutable_framework_info() =
      context.framework_info;
  mesos::SlaveInfo* agent =
      subscribed.mutable_subscribed()->mutable_agent_info();
  agent->set_hostname("node-7");
  agent->mutable_id()->set_value("agent-1");
  agent->set_port(5051);
  events.push_back(subscribed);
  Event launch = BaseEvent(Event::LAUNCH);
  *launch.mutable_launch()->mutable_task() = TestTask("t1");
  events.push_back(launch);
  Event kill = BaseEvent(Event::KILL);
  kill.mutable_kill()->mutable_task_id()->set_value("t1");
  events.push_back(kill);
  Event kill_with_policy = kill;
  kill_with_policy.mutable_kill()
      ->mutable_kill_policy()
      ->mutable_grace_period()
      ->set_nanoseconds(3000000000);
  events.push_back(kill_with_policy);
  Event ack = BaseEvent(Event::ACKNOWLEDGED);
  ack.mutable_acknowledged()->mutable_task_id()->set_value("t1");
  ack.mutable_acknowledged()->set_uuid(NewUuidBytes());
  events.push_back(ack);
  Event batch = ack;
  Event::Acknowledged* more = batch.add_batched_acknowledgements();
  more->mutable_task_id()->set_value("t2");
  more->set_uuid(NewUuidBytes());
  events.push_back(batch);
  Event message = BaseEvent(Event::MESSAGE);
  message.mutable_message()->set_data("ping");
  events.push_back(message);
  events.push_back(BaseEvent(Event::SHUTDOWN));
  (void)reregistering;
  return events;
}

Call RandomCall(std::mt19937& rng, bool reregistering) {
  switch (rng() % 3) {
    case 0: {
      Call call = BaseCall(Call::SUBSCRIBE);
      Call::Subscribe* subscribe = call.mutable_subscribe();
      // A first registration carries nothing to resend.
      int tasks = reregistering ? rng() % 4 : 0;
      int updates = reregistering ? rng() % 4 : 0;
      for (int i = 0; i < tasks; ++i) {
        *subscribe->add_unacknowledged_tasks() = RandomTask(rng);
      }
      for (int i = 0; i < updates; ++i) {
        *subscribe->add_unacknowledged_updates() = RandomUpdate(rng);
      }
      return call;
    }
    case 1: {
      Call call = BaseCall(Call::UPDATE);
      *call.mutable_update() = RandomUpdate(rng);
      int more = rng() % 3;
      for (int i = 0; i < more; ++i) {
        *call.add_batched_updates() = RandomUpdate(rng);
      }
      return call;
    }
    default: {
      Call call = BaseCall(Call::MESSAGE);
      call.mutable_message()->set_data(RandomBytes(rng, 100));
      return call;
    }
  }
}

Event RandomEvent(std::mt19937& rng, bool reregistering) {
  switch (rng() % 6) {
    case 0: {
      LegacyContext context = TestContext();
      Event event = BaseEvent(Event::SUBSCRIBED);
      Event::Subscribed* subscribed = event.mutable_subscribed();
      *subscribed->mutable_executor_info() = context.executor_info;
      *subscribed->mutable_framework_info() = context.framework_info;
      if (!reregistering) {
        subscribed->mutable_executor_info()->set_data(RandomBytes(rng, 32));
      }
      subscribed->mutable_agent_info()->set_hostname(RandomName(rng));
      subscribed->mutable_agent_info()->mutable_id()->set_value("agent-1");
      return event;
    }
    case 1: {
      Event event = BaseEvent(Event::LAUNCH);
      *event.mutable_launch()->mutable_task() = RandomTask(rng);
      return event;
    }
    case 2: {
      Event event = BaseEvent(Event::KILL);
      event.mutable_kill()->mutable_task_id()->set_value(RandomName(rng));
      if (rng() % 2) {
        event.mutable_kill()
            ->mutable_kill_policy()
            ->mutable_grace_period()
            ->set_nanoseconds(static_cast<int64_t>(rng()));
      }
      return event;
    }
    case 3: {
      Event event = BaseEvent(Event::ACKNOWLEDGED);
      event.mutable_acknowledged()->mutable_task_id()->set_value(
          RandomName(rng));
      event.mutable_acknowledged()->set_uuid(NewUuidBytes());
      int more = rng() % 3;
      for (int i = 0; i < more; ++i) {
        Event::Acknowledged* ack = event.add_batched_acknowledgements();
        ack->mutable_task_id()->set_value(RandomName(rng));
        ack->set_uuid(NewUuidBytes());
      }
      return event;
    }
    case 4: {
      Event event = BaseEvent(Event::MESSAGE);
      event.mutable_message()->set_data(RandomBytes(rng, 100));
      return event;
    }
    default:
      return BaseEvent(Event::SHUTDOWN);
  }
}

}  // namespace testing
}  // namespace agent_shim
}  // namespace executor_runtime
