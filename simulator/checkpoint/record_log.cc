#include "simulator/checkpoint/record_log.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "simulator/checkpoint/crc32.h"

namespace executor_runtime {
namespace {

constexpr absl::string_view kHeader = "XRTLOG01";
constexpr size_t kFrameBytes = 8;

uint32_t LoadLe32(const char* p) {
  const unsigned char* u = reinterpret_cast<const unsigned char*>(p);
  return uint32_t{u[0]} | uint32_t{u[1]} << 8 | uint32_t{u[2]} << 16 |
         uint32_t{u[3]} << 24;
}

void StoreLe32(uint32_t value, char* p) {
  for (int i = 0; i < 4; ++i)
    p[i] = static_cast<char>((value >> (8 * i)) & 0xFF);
}

// The CRC covers the length field too, so that a zero-filled tail (length
// 0, CRC 0) does not pass for an empty record.
uint32_t FrameCrc(absl::string_view length_bytes, absl::string_view payload) {
  return Crc32(payload, Crc32(length_bytes));
}

}  // namespace

absl::StatusOr<RecordLogContents> ReadRecordLog(const std::string& path) {
  RecordLogContents contents;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (access(path.c_str(), F_OK) != 0 && errno == ENOENT) return contents;
    return absl::InternalError(
        absl::StrCat("cannot read checkpoint ", path, ": ", strerror(errno)));
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string data = buffer.str();
  if (data.empty()) return contents;  // created, header never written
  if (data.size() < kHeader.size() ||
      absl::string_view(data).substr(0, kHeader.size()) != kHeader) {
    if (data.size() < kHeader.size() &&
        kHeader.substr(0, data.size()) == data) {
      // A torn header: nothing was ever recorded.
      contents.dropped_tail_bytes = data.size();
      return contents;
    }
    return absl::DataLossError(
        absl::StrCat("checkpoint ", path,
                     " is not a record log (bad header); refusing "
                     "to recover from it"));
  }
  size_t offset = kHeader.size();
  while (offset < data.size()) {
    const size_t remaining = data.size() - offset;
    std::string problem;
    uint32_t length = 0;
    if (remaining < kFrameBytes) {
      problem = "a record frame is cut short";
    } else {
      length = LoadLe32(data.data() + offset);
      const uint32_t crc = LoadLe32(data.data() + offset + 4);
      if (length > kMaxRecordBytes) {
        problem = absl::StrCat("a record length of ", length, " is impossible");
      } else if (remaining - kFrameBytes < length) {
        problem = "a record is cut short";
      } else if (FrameCrc(absl::string_view(data).substr(offset, 4),
                          absl::string_view(data).substr(offset + kFrameBytes,
                                                         length)) != crc) {
        problem = "a record fails its CRC check";
      }
    }
    if (!problem.empty()) {
      // Damage in the final record is a torn write; damage with whole
      // records after it is corruption.
      // An impossible length cannot come from a cut-off append: corrupt.
      const bool last =
          remaining < kFrameBytes ||
          (length <= kMaxRecordBytes && remaining - kFrameBytes <= length);
      if (!last) {
        return absl::DataLossError(absl::StrCat(
            "checkpoint ", path, " is corrupt at byte ", offset, ": ", problem,
            ", and ", remaining, " bytes follow; refusing to recover from it"));
      }
      contents.dropped_tail_bytes = remaining;
      break;
    }
    contents.records.push_back(data.substr(offset + kFrameBytes, length));
    offset += kFrameBytes + length;
  }
  contents.valid_bytes = offset;
  return contents;
}

absl::StatusOr<std::unique_ptr<RecordLogWriter>> RecordLogWriter::Open(
    const std::string& path, uint64_t valid_bytes, bool sync) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return absl::InternalError(
        absl::StrCat("cannot open checkpoint ", path, ": ", strerror(errno)));
  }
  auto fail = [&](absl::string_view what) {
    int error = errno;
    close(fd);
    return absl::InternalError(
        absl::StrCat(what, " checkpoint ", path, ": ", strerror(error)));
  };
  if (valid_bytes < kHeader.size()) {
    if (ftruncate(fd, 0) != 0) return fail("cannot truncate");
    if (write(fd, kHeader.data(), kHeader.size()) !=
        static_cast<ssize_t>(kHeader.size())) {
      return fail("cannot write");
    }
    valid_bytes = kHeader.size();
  } else if (ftruncate(fd, static_cast<off_t>(valid_bytes)) != 0) {
    return fail("cannot truncate");
  }
  if (lseek(fd, static_cast<off_t>(valid_bytes), SEEK_SET) < 0) {
    return fail("cannot seek in");
  }
  if (sync && fdatasync(fd) != 0) return fail("cannot sync");
  return std::unique_ptr<RecordLogWriter>(
      new RecordLogWriter(path, fd, valid_bytes, sync));
}

RecordLogWriter::~RecordLogWriter() { close(fd_); }

absl::Status RecordLogWriter::Append(absl::string_view payload) {
  if (payload.size() > kMaxRecordBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "checkpoint record of ", payload.size(), " bytes is too large"));
  }
  std::string frame(kFrameBytes + payload.size(), '\0');
  StoreLe32(static_cast<uint32_t>(payload.size()), frame.data());
  StoreLe32(FrameCrc(absl::string_view(frame.data(), 4), payload),
            frame.data() + 4);
  std::memcpy(frame.data() + kFrameBytes, payload.data(), payload.size());
  size_t written = 0;
  while (written < frame.size()) {
    ssize_t n = write(fd_, frame.data() + written, frame.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int error = errno;
      // Undo the partial record so that later appends stay readable.
      if (ftruncate(fd_, static_cast<off_t>(size_)) == 0) {
        lseek(fd_, static_cast<off_t>(size_), SEEK_SET);
      }
      return absl::InternalError(absl::StrCat("cannot append to checkpoint ",
                                              path_, ": ", strerror(error)));
    }
    written += static_cast<size_t>(n);
  }
  if (sync_ && fdatasync(fd_) != 0) {
    return absl::InternalError(
        absl::StrCat("cannot sync checkpoint ", path_, ": ", strerror(errno)));
  }
  size_ += frame.size();
  return absl::OkStatus();
}

}  // namespace executor_runtime
