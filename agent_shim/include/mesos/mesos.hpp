// The legacy <mesos/mesos.hpp>: the generated Mesos protobuf types
// (mesos::TaskInfo, mesos::TaskStatus, mesos::Status, ...) that executor
// code written against libmesos uses, plus the comparison and printing
// helpers libmesos's <mesos/type_utils.hpp> gave the ID types, so that
// `using namespace mesos;` code compiles unchanged.
//
// Thread-safety: protobuf messages are not synchronized; the helpers are
// pure functions.
#ifndef MESOS_MESOS_HPP_
#define MESOS_MESOS_HPP_

#include <ostream>

#include "api/mesos/mesos.pb.h"

namespace mesos {

// IDs compare and print by value, as with libmesos.
#define MESOS_LEGACY_ID_OPERATORS(Id)                                   \
  inline bool operator==(const Id& left, const Id& right) {             \
    return left.value() == right.value();                               \
  }                                                                     \
  inline bool operator!=(const Id& left, const Id& right) {             \
    return left.value() != right.value();                               \
  }                                                                     \
  inline bool operator<(const Id& left, const Id& right) {              \
    return left.value() < right.value();                                \
  }                                                                     \
  inline std::ostream& operator<<(std::ostream& stream, const Id& id) { \
    return stream << id.value();                                        \
  }

MESOS_LEGACY_ID_OPERATORS(FrameworkID)
MESOS_LEGACY_ID_OPERATORS(SlaveID)
MESOS_LEGACY_ID_OPERATORS(ExecutorID)
MESOS_LEGACY_ID_OPERATORS(TaskID)
MESOS_LEGACY_ID_OPERATORS(OfferID)

#undef MESOS_LEGACY_ID_OPERATORS

inline std::ostream& operator<<(std::ostream& stream, const TaskState& state) {
  return stream << TaskState_Name(state);
}

}  // namespace mesos

#endif  // MESOS_MESOS_HPP_
