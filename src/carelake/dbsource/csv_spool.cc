#include "carelake/dbsource/csv_spool.h"

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "carelake/base/status.h"

namespace carelake::dbsource {
namespace {
constexpr size_t kBufferBytes = 1 << 20;

Status IoError(const std::string& what, const std::string& path) {
  return Status(StatusCode::kIoError, what + " " + path + ": " + std::strerror(errno));
}
}  // namespace

CsvSpool::~CsvSpool() {
  if (file_ != nullptr) std::fclose(file_);
}

Status CsvSpool::Open() {
  std::string path = dir_ + "/" + prefix_ + "-" + std::to_string(files_.size()) + ".csv";
  file_ = std::fopen(path.c_str(), "wb");
  if (file_ == nullptr) return IoError("cannot create", path);
  if (!buffer_) buffer_ = std::make_unique<char[]>(kBufferBytes);
  std::setvbuf(file_, buffer_.get(), _IOFBF, kBufferBytes);
  files_.push_back(std::move(path));
  file_bytes_ = 0;
  return Status::Ok();
}

Status CsvSpool::Write(std::string_view rows) {
  if (file_ == nullptr) {
    if (Status s = Open(); !s.ok()) return s;
  }
  if (std::fwrite(rows.data(), 1, rows.size(), file_) != rows.size()) {
    return IoError("cannot write", files_.back());
  }
  file_bytes_ += static_cast<int64_t>(rows.size());
  bytes_ += static_cast<int64_t>(rows.size());
  if (file_bytes_ >= roll_bytes_) return Close();
  return Status::Ok();
}

Status CsvSpool::Close() {
  if (file_ == nullptr) return Status::Ok();
  int rc = std::fclose(file_);
  file_ = nullptr;
  if (rc != 0) return IoError("cannot write", files_.back());
  return Status::Ok();
}

void CsvSpool::Remove() {
  (void)Close();
  for (const std::string& f : files_) {
    std::error_code ec;
    std::filesystem::remove(f, ec);
  }
  files_.clear();
}

void AppendQuoted(std::string& out, std::string_view value) {
  out += '"';
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

}  // namespace carelake::dbsource
