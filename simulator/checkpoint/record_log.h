// RecordLog: an append-only file of records, each framed as
//   [u32 little-endian payload length]
//   [u32 little-endian CRC-32 of the length field and payload][payload]
// after an 8-byte file header "XRTLOG01". Appends are single write(2)
// calls, so a crash (even SIGKILL) leaves whole records followed by at most
// one torn record at the end.
//
// Reading recovers every whole record. A damaged LAST record (short, or a
// CRC mismatch: a write the crash cut off) is dropped and reported in
// `dropped_tail_bytes`; the writer then truncates it away. Damage followed
// by further data, or a wrong header, is corruption and is refused
// (DATA_LOSS) with a message naming the file and byte offset: the caller
// must not silently lose records from the middle of its history.
//
//   absl::StatusOr<RecordLogContents> contents = ReadRecordLog(path);
//   absl::StatusOr<std::unique_ptr<RecordLogWriter>> writer =
//       RecordLogWriter::Open(path, contents->valid_bytes);
//   (*writer)->Append("payload");
//
// Thread-safety: RecordLogWriter is not synchronized (callers serialize).
#ifndef SIMULATOR_CHECKPOINT_RECORD_LOG_H_
#define SIMULATOR_CHECKPOINT_RECORD_LOG_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace executor_runtime {

struct RecordLogContents {
  std::vector<std::string> records;
  // Bytes of the file up to the end of the last good record (the header
  // alone is 8); 0 if the file does not exist.
  uint64_t valid_bytes = 0;
  // Bytes of a torn final record that were dropped.
  uint64_t dropped_tail_bytes = 0;
};

// Reads the log at `path`. A missing file is an empty log (valid_bytes 0).
absl::StatusOr<RecordLogContents> ReadRecordLog(const std::string& path);

class RecordLogWriter {
 public:
  // Opens `path` for appending after its first `valid_bytes` bytes
  // (truncating anything after them); creates it with a header when
  // valid_bytes is 0. `sync` makes every Append fdatasync (survives power
  // loss, not only process crashes).
  static absl::StatusOr<std::unique_ptr<RecordLogWriter>> Open(
      const std::string& path, uint64_t valid_bytes, bool sync = false);
  ~RecordLogWriter();
  RecordLogWriter(const RecordLogWriter&) = delete;
  RecordLogWriter& operator=(const RecordLogWriter&) = delete;

  // Appends one record. On error the file is left as it was (a partial
  // write is truncated away) and the writer remains usable.
  absl::Status Append(absl::string_view payload);

  uint64_t size() const { return size_; }

 private:
  RecordLogWriter(std::string path, int fd, uint64_t size, bool sync)
      : path_(std::move(path)), fd_(fd), size_(size), sync_(sync) {}

  const std::string path_;
  const int fd_;
  uint64_t size_;
  const bool sync_;
};

// Largest payload accepted (a corrupted length field beyond it is damage).
inline constexpr uint32_t kMaxRecordBytes = 64u << 20;

}  // namespace executor_runtime

#endif  // SIMULATOR_CHECKPOINT_RECORD_LOG_H_
